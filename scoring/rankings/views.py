from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from communes import selectors
from communes.models import AdministrativeUnit, Level
from communes.selectors import request_memberships
from scoring.assessments.selectors import returned_for_explanation
from scoring.rankings.advice import standing_advice
from scoring.rankings.choices import group_choices
from scoring.rankings.dashboards import (
    latest_result,
    ranking_dashboard,
    ranking_group_of,
    unit_profile,
)
from scoring.rankings.exports import ranking_workbook
from scoring.rankings.province import province_overview
from scoring.rankings.served import ranking_page
from scoring.rankings.what_if import WhatIfRefused, figure_choices, what_if


def _selected(request):
    return group_choices(
        request.user,
        request.GET.get("group"),
        request.GET.get("period"),
        request_memberships(request),
    )


def _ranking_group_code(request, framework, period):
    """The ranking group asked for; else the one the unit asked for, or the user's own unit,
    is ranked in (an officer of a xã opens on the xã ranking). Asked only of a framework that
    ranks in groups (see ranking_group_chosen)."""

    def code() -> str | None:
        if request.GET.get("ranking_group"):
            return request.GET["ranking_group"]
        codes = [request.GET["unit"]] if request.GET.get("unit") else []
        codes += [m.unit.code for m in request_memberships(request)]
        return ranking_group_of(framework, period, codes)

    return code


@login_required
def rankings(request):
    framework, period, issuers, periods = _selected(request)
    dashboard = (
        ranking_page(framework, period, _ranking_group_code(request, framework, period))
        if framework
        else None
    )
    return render(
        request,
        "scoring/rankings/dashboard.html",
        {
            "dashboard": dashboard,
            "issuers": issuers,
            "periods": periods,
        },
    )


@login_required
def rankings_export(request):
    framework, period, _issuers, _periods = _selected(request)
    if framework is None:
        raise Http404
    # One ranking group when the page names one; else a sheet per group.
    chosen = request.GET.get("ranking_group")
    codes = [chosen] if chosen else framework.ranking_groups.values_list("code", flat=True)
    dashboards = [ranking_dashboard(request.user, framework, period, code) for code in codes]
    response = HttpResponse(
        ranking_workbook(dashboards or [ranking_dashboard(request.user, framework, period)]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    suffix = f"-{dashboards[0].ranking_group.code}" if chosen and dashboards else ""
    name = f"xep-hang-{framework.issuer.code}-{period.code}{suffix}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _svg_number(value) -> str:
    return f"{float(value or 0):.1f}"


def _units_seen(user, rows) -> list:
    visible = set(
        AdministrativeUnit.objects.visible_to(user)
        .filter(pk__in=[r.unit_id for r in rows])
        .values_list("pk", flat=True)
    )
    return [r for r in rows if r.unit_id in visible]


@login_required
def charts(request):
    """Three charts for a group and period: one unit's areas against the group average, the
    unit's index and rank over the years, and how many units fall in each band."""
    framework, period, issuers, periods = _selected(request)
    dashboard = (
        ranking_dashboard(
            request.user, framework, period, _ranking_group_code(request, framework, period)
        )
        if framework
        else None
    )
    row = profile = None
    areas = []
    # The ranking is the group's; a unit's own history is shown only for units the user sees.
    seen = _units_seen(request.user, dashboard.rows) if dashboard else []
    if seen:
        chosen = request.GET.get("unit")
        if chosen is None:
            own = request_memberships(request)
            chosen = own[0].unit.code if own else None
        row = next((r for r in seen if r.unit.code == chosen), seen[0])
        profile = unit_profile(row.unit)
        areas = [
            {
                "area": area,
                "mine": mine,
                "average": average,
                "css": css,
                # SVG geometry as plain text: a localized "72,5" is not a length.
                "mine_width": _svg_number(mine),
                "average_x": _svg_number(average),
            }
            for (area, average, _css), (mine, css) in zip(
                dashboard.area_averages, row.cells, strict=False
            )
        ]
    return render(
        request,
        "scoring/rankings/charts.html",
        {
            "dashboard": dashboard,
            "issuers": issuers,
            "periods": periods,
            "row": row,
            "units": seen,
            "profile": profile,
            "areas": areas,
        },
    )


@login_required
def unit_page(request, code):
    """A unit as it stood on ?on= (a page reached from a 2022 ranking shows the 2022 unit);
    without it, today's unit or the latest version of one that no longer exists."""
    try:
        on = selectors.on_date(request.GET.get("on"))
    except ValueError:
        on = None  # a mistyped day: the unit as it stands
    unit = selectors.visible_unit_on(request.user, code, on)
    if unit is None:
        raise Http404
    if unit.level == Level.PROVINCE:
        return render(
            request,
            "scoring/rankings/province.html",
            {"overview": province_overview(unit, request.GET.get("period")), "on": on},
        )
    if unit.level != Level.COMMUNE:
        # A district page is its ranking: the communes it issues a framework for.
        return redirect(f"{reverse('rankings')}?group={unit.code}")
    profile = unit_profile(unit)
    return render(
        request,
        "scoring/rankings/unit_profile.html",
        {
            "profile": profile,
            "advice": standing_advice(profile.latest) if profile.latest else None,
            "what_if_figures": figure_choices(profile.latest) if profile.latest else None,
            "returned": returned_for_explanation(request.user, unit),
        },
    )


@login_required
def unit_what_if(request, code):
    """The what-if panel's answer for the unit's latest result: `item_<code>=points` for the
    items to change (htmx swaps the answer into the page; without script, a page of its own)."""
    unit = selectors.visible_unit_on(request.user, code, None)
    latest = latest_result(unit) if unit is not None else None
    if latest is None:
        raise Http404
    points = {
        key.removeprefix("item_"): value
        for key, value in request.GET.items()
        if key.startswith("item_") and value.strip()
    }
    figures = {
        key.removeprefix("fig_"): value
        for key, value in request.GET.items()
        if key.startswith("fig_") and value.strip()
    }
    answer, problems = None, []
    try:
        month = request.GET.get("month", "")
        answer = what_if(latest.assessment, points, {month: figures} if figures else None)
    except WhatIfRefused as refused:
        problems = refused.problems
    template = "scoring/rankings/" + ("_what_if.html" if request.htmx else "what_if.html")
    context = {"unit": unit, "result": latest, "answer": answer, "problems": problems}
    return render(request, template, context, status=400 if problems else 200)
