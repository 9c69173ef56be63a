"""The ranking as the dashboard page and the API serve it: what every reader of a group gets
alike is built once per state of its results and kept (scoring.rankings.kept); per request
remain only who may read it, when it was computed and whether changes are waiting."""

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from rest_framework.renderers import JSONRenderer

from scoring.models import Framework, Period, RankingGroup
from scoring.rankings.dashboards import ranking_group_chosen, ranking_table
from scoring.rankings.kept import group_state, kept
from scoring.rankings.selectors import overdue_since, ranking_rows
from scoring.rankings.serializers import RankingRowSerializer


@dataclass
class RankingPage:
    framework: Framework
    period: Period
    ranking_group: RankingGroup | None
    ranking_groups: list  # Choice per group, when the framework ranks in groups by kind
    body: str  # the table, the band bars and the areas, rendered
    provisional: bool
    published: bool
    as_of: datetime.datetime | None
    pending_since: datetime.datetime | None

    # The figures behind the rendered body, read from the database only when asked for (the
    # page's template never asks).
    @cached_property
    def table(self):
        return ranking_table(self.framework, self.period, self.ranking_group)

    @property
    def rows(self) -> list:
        return self.table.rows

    @property
    def area_averages(self) -> list:
        return self.table.area_averages

    @property
    def bands(self) -> list:
        return self.table.bands


def _group_part(ranking_group) -> str:
    return str(ranking_group.pk) if ranking_group is not None else "all"


def ranking_page(framework: Framework, period: Period, ranking_group_code):
    """The page's ranking; `ranking_group_code` as ranking_group_chosen takes it."""
    ranking_group, choices = ranking_group_chosen(framework, ranking_group_code)

    def build() -> dict:
        dashboard = ranking_table(framework, period, ranking_group, choices)
        html = render_to_string("scoring/rankings/_ranking_table.html", {"dashboard": dashboard})
        return {
            "html": str(html),
            "provisional": dashboard.provisional,
            "published": dashboard.published,
        }

    # The language is part of the key: labels, number formats and links are rendered in it.
    part = (_group_part(ranking_group), get_language())
    state = group_state(framework.pk, period.pk)
    body = kept("page", framework.pk, period.pk, part, build, state.stamp)
    return RankingPage(
        framework=framework,
        period=period,
        ranking_group=ranking_group,
        ranking_groups=choices,
        body=mark_safe(body["html"]),  # rendered by the template engine, escaped there
        provisional=body["provisional"],
        published=body["published"],
        as_of=state.as_of,
        pending_since=overdue_since(state.dirty_since),
    )


def ranking_api_json(framework: Framework, period: Period, ranking_group) -> tuple[bytes, object]:
    """(the API's rows of a group, every ranking group's without one, as the JSON bytes DRF's
    renderer makes of them; the end of the latest successful recompute). Kept as bytes: a
    list of rows was unpickled and rendered again on every call, a tenth of the call."""

    def build() -> bytes:
        rows = ranking_rows(framework, period, ranking_group)
        return JSONRenderer().render(RankingRowSerializer(rows, many=True).data)

    state = group_state(framework.pk, period.pk)
    parts = (_group_part(ranking_group),)
    return kept("api-json", framework.pk, period.pk, parts, build, state.stamp), state.as_of
