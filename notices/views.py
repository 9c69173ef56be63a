"""/notices/: the bell's list, opening a notice, marking all read, the e-mail choice."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from notices.models import Notice
from notices.services import notices_mark_read, preference_set, wants_email
from notices.texts import notice_text


class PreferenceForm(forms.Form):
    email = forms.BooleanField(
        label=gettext_lazy("Also send me each notice by e-mail"), required=False
    )


@login_required
def notice_list(request):
    page = Paginator(Notice.objects.filter(recipient=request.user), 50).get_page(
        request.GET.get("page")
    )
    for notice in page:
        notice.text = notice_text(notice.kind, notice.params)
    return render(
        request,
        "notices/list.html",
        {
            "page": page,
            "form": PreferenceForm(initial={"email": wants_email(request.user)}),
            "has_email": bool(request.user.email),
        },
    )


@login_required
def notice_open(request, pk):
    """Mark the notice read and go where it points."""
    notice = get_object_or_404(Notice, pk=pk, recipient=request.user)
    notices_mark_read(request.user, [notice.pk])
    if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None):
        return redirect(notice.url)
    return redirect("notices")


@login_required
@require_POST
def notices_read(request):
    count = notices_mark_read(request.user)
    messages.success(request, _("%(count)s notice(s) marked as read.") % {"count": count})
    return redirect("notices")


@login_required
@require_POST
def notice_preference(request):
    form = PreferenceForm(request.POST)
    form.is_valid()
    preference_set(
        request.user,
        email=form.cleaned_data.get("email", False),
        language=getattr(request, "LANGUAGE_CODE", "vi"),
    )
    messages.success(request, _("Your choice is saved."))
    return redirect("notices")
