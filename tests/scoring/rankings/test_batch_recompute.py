"""Many ranking groups in one pass (#16): the same results as one group at a time, in the same
number of statements whatever the number of groups, and one task for a bulk change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers.services import dossier_reports_save
from scoring import tasks
from scoring.models import (
    AreaResult,
    Assessment,
    DirtyGroup,
    RankingRun,
    Result,
    Score,
    SubCriterion,
)
from scoring.rankings import engine
from scoring.rankings import services as rankings
from tests.factories import DERIVED_DOC
from tests.helpers import dossier_row, save_scores

pytestmark = pytest.mark.django_db

RESULT_FIELDS = (
    "unit_id",
    "framework_id",
    "period_id",
    "ranking_group_id",
    "total_points",
    "bonus_points",
    "penalty_points",
    "max_points",
    "index_percent",
    "band_id",
    "band_label",
    "rank",
    "previous_rank",
    "appraised_count",
    "criteria_count",
    "not_applicable_count",
)
SCORE_FIELDS = ("id", "metric_value", "derived_points", "points", "excluded", "applicable_max")


def _all_groups():
    return sorted(set(Assessment.objects.values_list("framework_id", "period_id")))


def _snapshot():
    return (
        sorted(Result.objects.values_list("assessment_id", *RESULT_FIELDS)),
        sorted(
            AreaResult.objects.values_list(
                "result__assessment_id", "area_id", "points", "max_points", "percent"
            )
        ),
        sorted(Score.objects.values_list(*SCORE_FIELDS)),
    )


def _statements(groups) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        engine.recompute_groups(groups)
    return [q["sql"] for q in queries.captured_queries]


def test_one_pass_over_every_group_gives_what_one_group_at_a_time_gives(make_group, communes):
    """The demo's provinces, districts and periods (previous ranks, ranking groups by kind of
    unit, derived items, deductions, optional areas) plus a group with dossier statistics."""
    framework, period = make_group(DERIVED_DOC)
    save_scores(period, {c.code: {"3.1": str(i % 3)} for i, c in enumerate(communes)})
    rows = [
        (2 + i, dossier_row(c.code, "2024-03", received=10 + i, resolved_early=8, online_full=i))
        for i, c in enumerate(communes)
    ]
    assert dossier_reports_save(records=rows).ok
    groups = _all_groups()
    assert len(groups) >= 5
    for group in groups:
        engine.recompute_groups([group])
    one_at_a_time = _snapshot()
    # Spoil what the engine computes, so the pass below must compute all of it again.
    Result.objects.update(index_percent=0, rank=None, previous_rank=None, band_label="")
    AreaResult.objects.update(percent=None, points=0)
    Score.objects.update(points=0, derived_points=None, metric_value=None)
    assert engine.recompute_groups(groups) == Result.objects.count()
    assert _snapshot() == one_at_a_time
    mine = Result.objects.filter(framework=framework, period=period).order_by("rank")
    assert [r.rank for r in mine] == [1, 2, 3, 4]


def test_a_recompute_runs_the_same_statements_whatever_the_number_of_groups(make_group):
    make_group()
    groups = _all_groups()
    assert len(groups) >= 5
    engine.recompute_groups(groups)  # every row there: nothing left to insert
    # The group whose framework nests items deepest: the statements of all groups are its own.
    deepest = (
        SubCriterion.objects.filter(has_items=True)
        .order_by("-depth")
        .values_list("framework_id", "depth")[0]
    )
    nested = next(g for g in groups if g[0] == deepest[0])
    one = _statements([nested])
    every = _statements(groups)
    assert len(one) == len(every)
    # The score rows locked and counted; metric values to points used in one pass; the roll-up,
    # one statement per level of nesting; the results' ranking groups; totals and area percents
    # (one statement on PostgreSQL, two on SQLite); bands; ranks; on PostgreSQL the join order
    # set and reset; the previous ranks (two reads: the groups with the later groups that
    # compare with them, the assessed periods; one UPDATE) and the count of results.
    levels = deepest[1] + 1
    totals, settings = (1, 2) if connection.vendor == "postgresql" else (2, 0)
    assert len(every) == 1 + 1 + levels + 1 + totals + 2 + settings + 3 + 1
    flat = next(
        g
        for g in groups
        if not SubCriterion.objects.filter(framework_id=g[0], has_items=True).exists()
    )
    assert len(_statements([flat])) == len(every) - levels


def test_a_score_row_gone_missing_is_added_back_and_counted(make_group, communes):
    """Rows are counted before the pass: a missing one (an item added after the group was
    opened) is inserted and computed; a complete group spares the insert."""
    framework, period = make_group(DERIVED_DOC)
    save_scores(period, {c.code: {"3.1": "2"} for c in communes})
    group = (framework.pk, period.pk)
    engine.recompute_groups([group])
    result = Result.objects.get(unit=communes[0], framework=framework, period=period)
    total = result.total_points
    assert total >= 2
    gone = Score.objects.get(
        assessment__unit=communes[0],
        assessment__framework=framework,
        sub_criterion__code="3.1",
    )
    assessment_id, item_id = gone.assessment_id, gone.sub_criterion_id
    gone.delete()

    inserted = [
        q
        for q in _statements([group])
        if q.lstrip().startswith("WITH") and "INSERT INTO" in q and "scoring_score " in q
    ]
    assert len(inserted) == 1
    back = Score.objects.get(assessment_id=assessment_id, sub_criterion_id=item_id)
    assert back.self_points is None and back.points == 0
    result.refresh_from_db()
    assert result.total_points == total - 2
    # Complete again: no insert.
    assert not [q for q in _statements([group]) if "INSERT INTO scoring_score " in q]
    # An area result gone: put back and computed, as before.
    area = AreaResult.objects.filter(result=result).order_by("area_id").first()
    kept = (area.area_id, area.points, area.max_points, area.percent)
    area.delete()
    assert [q for q in _statements([group]) if "INSERT INTO scoring_arearesult " in q]
    back = AreaResult.objects.get(result=result, area_id=kept[0])
    assert (back.area_id, back.points, back.max_points, back.percent) == kept
    assert not [q for q in _statements([group]) if "INSERT INTO" in q]


def test_a_bulk_change_sends_one_task_and_recomputes_its_groups_in_one_pass(
    make_group, monkeypatch, django_capture_on_commit_callbacks
):
    first = make_group(period="2024")
    second = make_group(period="2024-H1")
    queued = []
    monkeypatch.setattr(
        tasks.recompute_groups,
        "apply_async",
        lambda args, priority: queued.append((*args, priority)),
    )
    monkeypatch.setattr(tasks.recompute_group, "delay", lambda *args: queued.append(args))
    groups = [(f.pk, p.pk) for f, p in (first, second)]
    with django_capture_on_commit_callbacks(execute=True):
        rankings.groups_mark_dirty(groups, trigger="import")
    # One task, behind the single-group tasks of people's changes (Redis: 0 is served first).
    assert queued == [(sorted([list(g) for g in groups]), "import", 6)]
    queued[0] = queued[0][:2]
    before = RankingRun.objects.count()
    assert tasks.recompute_groups(*queued[0]) == 2
    runs = RankingRun.objects.order_by("-pk")[:2]
    assert {(r.framework_id, r.period_id) for r in runs} == set(groups)
    assert {(r.status, r.trigger, r.results_count) for r in runs} == {("succeeded", "import", 4)}
    assert RankingRun.objects.count() == before + 2
    assert not DirtyGroup.objects.filter(framework_id=first[0].pk).exists()
    # Nothing dirty any more: the next task has nothing to do.
    assert tasks.recompute_groups(*queued[0]) == 0
