"""/rounds/: the rounds a user may read, opening one, and a round's page (every unit's status,
what is late, the deadlines and the extensions)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.problems import Problem
from scoring.assessments import rules
from scoring.models import Round
from scoring.periods import PeriodCodeError, period_get_or_create
from scoring.rankings.publication import PublicationRefused, decision_sign, results_publish
from scoring.rounds.selectors import frameworks_to_open, round_rows
from scoring.rounds.services import (
    RoundError,
    extension_grant,
    extension_revoke,
    round_deadlines_set,
    round_open,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DeadlinesForm(forms.Form):
    self_assessment_due = forms.DateField(
        label=gettext_lazy("Self-assessment due"), required=False, widget=DATE
    )
    appraisal_due = forms.DateField(
        label=gettext_lazy("Appraisal due"), required=False, widget=DATE
    )


class OpenForm(DeadlinesForm):
    framework = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Framework"))
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=7,
        help_text=gettext_lazy("2026, 2026-H1 or 2026-Q1"),
    )
    units = forms.CharField(
        label=gettext_lazy("Only these units"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Codes separated by commas or spaces; empty: every unit the framework ranks."
        ),
    )
    field_order = ["framework", "period", "self_assessment_due", "appraisal_due", "units"]

    def __init__(self, *args, frameworks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = frameworks
        # Most appraisers run one framework a year: the newest comes chosen.
        self.fields["framework"].empty_label = None
        self.fields["framework"].label_from_instance = lambda f: (
            f"{f.code} {f.year} · {f.issuer.name}"
        )


class DecisionForm(forms.Form):
    signer = forms.CharField(
        label=gettext_lazy("Signed by"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Chairman Nguyễn Văn A")}),
    )
    signed_file = forms.FileField(
        label=gettext_lazy("Signed decision (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )


class PublishForm(DecisionForm):
    decision_number = forms.CharField(label=gettext_lazy("Decision number"), max_length=60)
    decision_date = forms.DateField(label=gettext_lazy("Decision date"), widget=DATE)
    field_order = ["decision_number", "decision_date", "signer", "signed_file"]


class ExtensionForm(forms.Form):
    unit_code = forms.CharField(max_length=5)
    until = forms.DateField(widget=DATE)
    reason = forms.CharField(required=False, max_length=500)


def _visible_round(request, pk) -> Round:
    round_ = (
        Round.objects.visible_to(request.user)
        .select_related("framework__issuer", "period")
        .filter(pk=pk)
        .first()
    )
    if round_ is None:
        raise Http404
    return round_


def _form_problems(form) -> list[Problem]:
    return [
        Problem(None, None if field == "__all__" else field, message)
        for field, errors in form.errors.items()
        for message in errors
    ]


@login_required
def round_list(request):
    frameworks = frameworks_to_open(request.user)
    form = OpenForm(request.POST or None, frameworks=frameworks)
    problems, status = [], 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            codes = data["units"].replace(",", " ").split()
            try:
                period = period_get_or_create(data["period"])
                round_, added = round_open(
                    framework=data["framework"],
                    period=period,
                    user=request.user,
                    self_assessment_due=data["self_assessment_due"],
                    appraisal_due=data["appraisal_due"],
                    unit_codes=codes or None,
                )
            except PeriodCodeError as exc:
                problems = [Problem(None, "period", str(exc))]
            except RoundError as exc:
                problems = exc.problems
            else:
                messages.success(
                    request,
                    _("The round is open: %(count)d assessments added.") % {"count": added},
                )
                return redirect("round-detail", pk=round_.pk)
        else:
            problems = _form_problems(form)
        status = 400
    rounds = Round.objects.visible_to(request.user).select_related("framework__issuer", "period")
    return render(
        request,
        "scoring/rounds/list.html",
        {"rounds": rounds, "form": form, "can_open": frameworks.exists(), "problems": problems},
        status=status,
    )


def _detail(request, round_, *, problems=(), status=200):
    can_manage = rules.round_refusal(request.user, round_.framework, round_.period) is None
    rows = round_rows(round_)
    publication = round_.framework.publications.filter(period=round_.period).first()
    return render(
        request,
        "scoring/rounds/detail.html",
        {
            "round": round_,
            "rows": rows,
            "late_self": sum(r.self_late for r in rows),
            "late_appraisal": sum(r.appraisal_late for r in rows),
            "extended": sum(1 for r in rows if r.extended_until),
            "can_manage": can_manage,
            "deadlines": DeadlinesForm(
                initial={
                    "self_assessment_due": round_.self_assessment_due,
                    "appraisal_due": round_.appraisal_due,
                }
            ),
            "problems": problems,
            "publication": publication,
            "publish_form": PublishForm(),
            "decision_form": DecisionForm(initial={"signer": getattr(publication, "signer", "")}),
            "can_record_decision": publication is not None
            and rules.decision_refusal(request.user, publication) is None,
            "not_appraised": sum(1 for r in rows if not r.appraised),
        },
        status=status,
    )


@login_required
def round_detail(request, pk):
    return _detail(request, _visible_round(request, pk))


@login_required
@require_POST
def round_deadlines(request, pk):
    round_ = _visible_round(request, pk)
    form = DeadlinesForm(request.POST)
    if not form.is_valid():
        return _detail(request, round_, problems=_form_problems(form), status=400)
    try:
        round_deadlines_set(round_=round_, user=request.user, **form.cleaned_data)
    except RoundError as exc:
        return _detail(request, round_, problems=exc.problems, status=400)
    messages.success(request, _("The deadlines are saved."))
    return redirect("round-detail", pk=round_.pk)


@login_required
@require_POST
def round_extension(request, pk):
    round_ = _visible_round(request, pk)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        return _detail(request, round_, problems=_form_problems(form), status=400)
    try:
        extension = extension_grant(round_=round_, user=request.user, **form.cleaned_data)
    except RoundError as exc:
        return _detail(request, round_, problems=exc.problems, status=400)
    messages.success(
        request,
        _("%(unit)s may change its self-assessment until %(date)s.")
        % {"unit": extension.unit.name, "date": rules.shown_date(extension.until)},
    )
    return redirect("round-detail", pk=round_.pk)


@login_required
@require_POST
def round_extension_remove(request, pk, unit_code):
    round_ = _visible_round(request, pk)
    extension = round_.extensions.filter(unit__code=unit_code).select_related("unit").first()
    if extension is None:
        raise Http404
    try:
        extension_revoke(extension=extension, user=request.user)
    except RoundError as exc:
        return _detail(request, round_, problems=exc.problems, status=400)
    messages.success(
        request, _("The extension of %(unit)s is withdrawn.") % {"unit": extension.unit.name}
    )
    return redirect("round-detail", pk=round_.pk)


@login_required
@require_POST
def round_publish(request, pk):
    """Publish the round's results under the decision: refused, listing them, while any unit
    is not appraised."""
    round_ = _visible_round(request, pk)
    form = PublishForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, round_, problems=_form_problems(form), status=400)
    try:
        publication = results_publish(
            framework=round_.framework, period=round_.period, user=request.user, **form.cleaned_data
        )
    except PublicationRefused as exc:
        return _detail(request, round_, problems=exc.problems, status=400)
    messages.success(
        request,
        _("The results are published under decision %(number)s; they are final.")
        % {"number": publication.decision_number},
    )
    return redirect("round-detail", pk=round_.pk)


@login_required
@require_POST
def round_decision(request, pk):
    """Record who signed the published decision and attach its signed PDF."""
    round_ = _visible_round(request, pk)
    publication = round_.framework.publications.filter(period=round_.period).first()
    if publication is None:
        raise Http404
    form = DecisionForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, round_, problems=_form_problems(form), status=400)
    try:
        decision_sign(publication=publication, user=request.user, **form.cleaned_data)
    except PublicationRefused as exc:
        return _detail(request, round_, problems=exc.problems, status=400)
    messages.success(request, _("The decision's details are saved."))
    return redirect("round-detail", pk=round_.pk)
