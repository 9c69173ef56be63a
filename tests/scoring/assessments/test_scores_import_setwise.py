"""A scores import checks every row and writes them set-wise (#16): the same number of queries
for one group or many, only the rows whose values change written (and recorded in their
history), texts of any shape carried intact, missing score rows added."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scoring.assessments.imports import scores_import, scores_save
from scoring.assessments.rounds import group_open
from scoring.frameworks.services import framework_load
from scoring.models import Assessment, Score
from scoring.periods import period_get_or_create
from tests.factories import CommuneFactory, DistrictFactory, framework_doc

pytestmark = pytest.mark.django_db


def _groups(count: int) -> list[list[str]]:
    """`count` districts, each with its framework and a 2024 group of two communes; answers the
    communes' codes by district."""
    period = period_get_or_create("2024")
    codes = []
    for _ in range(count):
        district = DistrictFactory()
        communes = [CommuneFactory(parent=district) for _ in range(2)]
        framework, _ = framework_load(
            document=framework_doc(), issuer_code=district.code, year=2024
        )
        group_open(framework=framework, period=period)
        codes.append([c.code for c in communes])
    return codes


def _records(codes, **values) -> list[tuple[int, dict]]:
    rows = []
    for code in codes:
        for sub in ("1.1", "1.2"):
            rows.append(
                (len(rows) + 2, {"unit_code": code, "period": "2024", "sub_code": sub, **values})
            )
    return rows


def _queries(records) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = scores_save(records=records)
    assert result.ok, result.problems
    return len(queries.captured_queries)


def test_an_import_asks_as_many_queries_for_one_group_as_for_many():
    one, *others = _groups(4)
    few = _queries(_records(one, self_points="3"))
    many = _queries(_records([c for codes in others for c in codes], self_points="3"))
    assert few == many
    written = Score.objects.filter(assessment__unit__code__in=one + others[2])
    assert {s.self_points for s in written} == {Decimal("3.00")}


def test_an_import_repeated_writes_nothing_and_records_nothing():
    (codes,) = _groups(1)
    records = _records(codes, self_points="2,5", explanation="Đã họp")
    first = scores_save(records=records)
    assert (first.updated, first.unchanged) == (4, 0)
    scores = Score.objects.filter(assessment__unit__code__in=codes)
    stamps = sorted(scores.values_list("id", "updated_at"))
    history = Score.history.filter(assessment__unit__code__in=codes).count()
    again = scores_save(records=records)
    assert (again.updated, again.unchanged) == (0, 4)
    assert sorted(scores.values_list("id", "updated_at")) == stamps
    assert Score.history.filter(assessment__unit__code__in=codes).count() == history
    # One value changed on one row: that row alone is written and recorded.
    records[0][1]["self_points"] = "3"
    third = scores_save(records=records)
    assert (third.updated, third.unchanged) == (1, 3)
    assert Score.history.filter(assessment__unit__code__in=codes).count() == history + 1


def test_empty_cells_leave_what_is_stored_and_filled_ones_replace_it():
    (codes,) = _groups(1)
    assert scores_save(records=_records(codes, self_points="4", explanation="Có kế hoạch")).ok
    assert scores_save(records=_records(codes, appraised_points="3.5", self_points="")).ok
    score = Score.objects.get(assessment__unit__code=codes[0], sub_criterion__code="1.1")
    assert (score.self_points, score.appraised_points, score.explanation) == (
        Decimal("4.00"),
        Decimal("3.50"),
        "Có kế hoạch",
    )


def test_texts_with_separators_quotes_and_line_breaks_arrive_intact():
    (codes,) = _groups(1)
    text = 'Kế hoạch số 12, "đợt 2";\nđã niêm yết\ttại trụ sở \\ bảng tin'
    content = (
        "unit_code,period,sub_code,self_points,explanation\n"
        f'{codes[0]},2024,1.1,5,"{text.replace(chr(34), chr(34) * 2)}"\n'
    ).encode()
    result = scores_import(file_name="scores.csv", content=content)
    assert result.ok, result.problems
    score = Score.objects.get(assessment__unit__code=codes[0], sub_criterion__code="1.1")
    assert (score.self_points, score.explanation) == (Decimal("5.00"), text)


def test_a_missing_score_row_or_assessment_is_added_and_written(user):
    (codes,) = _groups(1)
    Score.objects.filter(assessment__unit__code=codes[0], sub_criterion__code="1.2").delete()
    Assessment.objects.filter(unit__code=codes[1]).delete()
    result = scores_save(records=_records(codes, self_points="1"), user=user)
    assert (result.ok, result.updated) == (True, 4)
    scores = Score.objects.filter(assessment__unit__code__in=codes)
    assert sorted(scores.values_list("assessment__unit__code", "sub_criterion__code")) == sorted(
        (code, sub) for code in codes for sub in ("1.1", "1.2")
    )
    assert {(s.self_points, s.updated_by_id) for s in scores} == {(Decimal("1.00"), user.pk)}
    # The deletions above are recorded too ("-"); the import's four writes follow them.
    records = Score.history.filter(assessment__unit__code__in=codes).exclude(history_type="-")
    assert (
        sorted(
            (r.history_type, r.history_user_id, r.history_change_reason, r.self_points)
            for r in records
        )
        == [("~", user.pk, "import", Decimal("1.00"))] * 4
    )


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_superuser("importer", password="x")
