from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from communes.search import MAX_RESULTS, exact_match, units_search


@login_required
def unit_search(request):
    """/search/?q=…: the header's search box. One current unit found: straight to its page."""
    query = request.GET.get("q", "").strip()[:100]
    units = units_search(request.user, query)
    today = timezone.localdate()
    chosen = units[0] if len(units) == 1 else exact_match(units, query, today)
    if chosen is not None:
        return redirect("unit-profile", code=chosen.code)
    return render(
        request,
        "communes/search.html",
        {"query": query, "units": units, "today": today, "limited": len(units) == MAX_RESULTS},
    )
