"""Changes reach the stored rankings by themselves: dirty marks, after-commit tasks, coalescing."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from kombu.exceptions import OperationalError

from dossiers.services import dossier_reports_save
from scoring import tasks
from scoring.assessments.scores import ScoreError, score_update
from scoring.models import DirtyGroup, RankingRun, Result, Score
from scoring.rankings import services as rankings
from scoring.rankings.publication import group_publish
from scoring.rankings.selectors import rankings_as_of
from tests.factories import DERIVED_DOC
from tests.helpers import dossier_row, recompute, save_scores

pytestmark = pytest.mark.django_db


def test_a_dossier_upload_recomputes_its_group_after_commit(
    make_group, communes, django_capture_on_commit_callbacks
):
    framework, period = make_group(DERIVED_DOC)
    recompute(framework, period)
    code = communes[0].code
    with django_capture_on_commit_callbacks(execute=True):
        assert dossier_reports_save(
            records=[
                (2, dossier_row(code, "2024-04", received=20, resolved_early=20, online_full=10))
            ]
        ).ok
    assert Score.objects.get(assessment__unit=communes[0], sub_criterion__code="3.4").points == 4
    assert Result.objects.get(unit=communes[0], period=period).rank == 1
    assert not DirtyGroup.objects.filter(framework=framework).exists()
    run = RankingRun.objects.filter(framework=framework).latest("started_at")
    assert (run.status, run.trigger) == ("succeeded", "dossiers")
    assert rankings_as_of(framework, period) == run.finished_at


def test_an_appraisers_edit_moves_the_rank(
    make_group, communes, appraiser, django_capture_on_commit_callbacks
):
    framework, period = make_group()
    a, b = communes[0], communes[1]
    save_scores(period, {a.code: {"1.1": "6"}, b.code: {"1.1": "5"}})
    recompute(framework, period)
    score = Score.objects.get(assessment__unit=a, sub_criterion__code="1.1")
    with django_capture_on_commit_callbacks(execute=True):
        score_update(score=score, user=appraiser, appraised_points="3", appraisal_reason="Thiếu")
    assert Result.objects.get(unit=a, period=period).rank == 2
    assert Result.objects.get(unit=b, period=period).rank == 1


def test_a_burst_of_changes_coalesces_and_the_last_one_is_always_computed(
    make_group, communes, appraiser, monkeypatch, django_capture_on_commit_callbacks
):
    """Tasks queued during a burst run afterwards, as a worker would take them off the queue."""
    framework, period = make_group()
    save_scores(period, {c.code: {"1.1": "1"} for c in communes})
    recompute(framework, period)
    queued = []
    monkeypatch.setattr(tasks.recompute_group, "delay", lambda *args: queued.append(args))
    score = Score.objects.get(assessment__unit=communes[0], sub_criterion__code="1.1")
    for value in ("1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5", "5.5", "6"):
        with django_capture_on_commit_callbacks(execute=True):
            score_update(score=score, user=appraiser, appraised_points=value)
    assert len(queued) == 10
    runs_before = RankingRun.objects.count()
    made = [rankings.dirty_group_recompute(*args[:2], trigger=args[2]) for args in queued]
    assert made == [1] + [0] * 9  # the first run saw the last change; the rest had nothing to do
    assert RankingRun.objects.count() == runs_before + 1
    assert Result.objects.get(unit=communes[0], period=period).total_points == Decimal("6.00")


def test_a_change_during_a_recompute_keeps_the_group_dirty(make_group, communes):
    framework, period = make_group()
    rankings.groups_mark_dirty([(framework.pk, period.pk)])
    mark = DirtyGroup.objects.get(framework=framework, period=period)
    original = rankings.engine.recompute_groups_counted

    def change_meanwhile(*args):
        counts = original(*args)
        DirtyGroup.objects.filter(pk=mark.pk).update(version=mark.version + 1)
        return counts

    rankings.engine.recompute_groups_counted = change_meanwhile
    try:
        rankings.group_recompute_now(framework, period, trigger="test")
    finally:
        rankings.engine.recompute_groups_counted = original
    assert DirtyGroup.objects.filter(pk=mark.pk).exists()
    assert rankings.dirty_group_recompute(framework.pk, period.pk) == 1
    assert not DirtyGroup.objects.filter(framework=framework).exists()


def test_a_failed_recompute_is_recorded_and_leaves_the_previous_results_whole(
    make_group, communes, monkeypatch
):
    framework, period = make_group()
    save_scores(period, {communes[0].code: {"1.1": "6"}})
    before = recompute(framework, period)[communes[0].code]

    def boom(*args):
        Result.objects.filter(framework=framework).update(index_percent=0)  # half-done work
        raise RuntimeError("disk full")

    monkeypatch.setattr(rankings.engine, "recompute_groups_counted", boom)
    rankings.groups_mark_dirty([(framework.pk, period.pk)])
    run = rankings.group_recompute_now(framework, period, trigger="test")
    assert (run.status, run.error) == ("failed", "RuntimeError: disk full")
    assert Result.objects.get(pk=before.pk).index_percent == before.index_percent
    assert DirtyGroup.objects.filter(framework=framework).exists()  # the sweep will retry


def test_the_sweep_recomputes_what_a_dead_broker_left_dirty(make_group, communes, monkeypatch):
    framework, period = make_group()
    save_scores(period, {communes[0].code: {"1.1": "6"}})

    def broker_down(*args):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(tasks.recompute_group, "delay", broker_down)
    assert rankings.enqueue_recompute([(framework.pk, period.pk)]) is False
    assert DirtyGroup.objects.filter(framework=framework).exists()
    assert tasks.sweep_dirty_rankings() >= 1
    assert not DirtyGroup.objects.filter(framework=framework).exists()
    assert Result.objects.get(unit=communes[0], period=period).index_percent == Decimal("60.00")


def test_published_results_are_frozen(make_group, communes, appraiser):
    framework, period = make_group()
    save_scores(period, {communes[0].code: {"1.1": "6"}})
    group_publish(
        framework=framework, period=period, decision_number="12/QĐ-UBND", decision_date=period.end
    )
    result = Result.objects.get(unit=communes[0], period=period)
    assert not result.provisional and result.index_percent == Decimal("60.00")
    score = Score.objects.get(assessment__unit=communes[0], sub_criterion__code="1.1")
    with pytest.raises(ScoreError, match="published"):
        score_update(score=score, user=appraiser, appraised_points="1")
    rankings.groups_mark_dirty([(framework.pk, period.pk)])
    assert rankings.dirty_group_recompute(framework.pk, period.pk) == 0
    assert Result.objects.get(pk=result.pk).index_percent == Decimal("60.00")


def test_score_update_respects_roles(make_group, communes, officer, appraiser, leader):
    framework, period = make_group()
    recompute(framework, period)
    own = Score.objects.get(assessment__unit=communes[0], sub_criterion__code="1.1")
    other = Score.objects.get(assessment__unit=communes[1], sub_criterion__code="1.1")
    score_update(score=own, user=officer, self_points="5,5", explanation="Có kế hoạch")
    assert own.self_points == Decimal("5.50")
    with pytest.raises(ScoreError, match="may not self-assess"):
        score_update(score=other, user=officer, self_points="1")
    with pytest.raises(ScoreError, match="may not appraise"):
        score_update(score=own, user=officer, appraised_points="1")
    with pytest.raises(ScoreError, match="may not appraise"):
        score_update(score=own, user=leader, appraised_points="1")
    with pytest.raises(ScoreError, match="outside 0…6"):
        score_update(score=own, user=appraiser, appraised_points="6.5")
    with pytest.raises(ScoreError, match="two decimals"):
        score_update(score=own, user=appraiser, appraised_points="1.255")


def test_score_imports_are_all_or_nothing_with_rows(make_group, communes):
    framework, period = make_group()
    from scoring.assessments.imports import scores_save

    result = scores_save(
        records=[
            (
                2,
                {
                    "unit_code": communes[0].code,
                    "period": "2024",
                    "sub_code": "1.1",
                    "self_points": "5",
                },
            ),
            (
                3,
                {
                    "unit_code": communes[1].code,
                    "period": "2024",
                    "sub_code": "9.9",
                    "self_points": "1",
                },
            ),
            (4, {"unit_code": communes[1].code, "period": "2024-X", "sub_code": "1.1"}),
            (
                5,
                {
                    "unit_code": communes[2].code,
                    "period": "2024",
                    "sub_code": "1.2",
                    "appraised_points": "4.01",
                },
            ),
        ]
    )
    assert [(p.row, p.column) for p in result.problems] == [
        (3, "sub_code"),
        (4, "period"),
        (5, "appraised_points"),
    ]
    assert not Score.objects.filter(
        assessment__framework=framework, self_points__isnull=False
    ).exists()


def test_recompute_rankings_command(make_group, communes, district, capsys):
    framework, period = make_group()
    save_scores(period, {communes[0].code: {"1.1": "6"}})
    call_command("recompute_rankings", "--period", "2024", "--group", district.code)
    assert "4 results" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not a period"):
        call_command("recompute_rankings", "--period", "2024-H7")


def test_publishing_records_the_run_that_dates_the_ranking(make_group, communes):
    framework, period = make_group()
    save_scores(period, {communes[0].code: {"1.1": "6"}})
    group_publish(
        framework=framework, period=period, decision_number="7/QĐ-UBND", decision_date=period.end
    )
    run = RankingRun.objects.filter(framework=framework, period=period).latest("finished_at")
    assert (run.trigger, run.status, run.results_count) == ("publish", "succeeded", 4)
    assert rankings_as_of(framework, period) == run.finished_at


def test_a_group_still_being_changed_waits_for_a_pause_but_not_for_ever(make_group):
    """One change is computed at once; a burst when it pauses, but within a second."""
    import datetime

    from django.utils import timezone

    framework, period = make_group()
    DirtyGroup.objects.filter(framework=framework, period=period).delete()  # as once computed
    rankings.groups_mark_dirty([(framework.pk, period.pk)])
    assert rankings.quiet_time_left(framework.pk, period.pk) == 0  # a first change goes at once
    rankings.groups_mark_dirty([(framework.pk, period.pk)])  # a second before it was computed
    assert 0 < rankings.quiet_time_left(framework.pk, period.pk) <= 0.25
    mark = DirtyGroup.objects.get(framework=framework, period=period)
    mark.marked_at = timezone.now() - datetime.timedelta(seconds=1)
    mark.save()
    assert rankings.quiet_time_left(framework.pk, period.pk) == 0  # it paused
    # Changed a moment ago, but dirty for over a second: compute now.
    mark.marked_at = timezone.now()
    mark.dirty_since = timezone.now() - datetime.timedelta(seconds=2)
    mark.save()
    assert rankings.quiet_time_left(framework.pk, period.pk) == 0
