from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from communes.selectors import request_memberships


@login_required
def home(request):
    """Each role lands on its own page: leaders and appraisers on their group's ranking,
    commune officers on their commune."""
    memberships = request_memberships(request)
    if not memberships:
        return redirect("admin:index") if request.user.is_staff else redirect("rankings")
    first = memberships[0]
    if first.role == "commune_officer":
        return redirect("unit-profile", code=first.unit.code)
    return redirect("rankings")
