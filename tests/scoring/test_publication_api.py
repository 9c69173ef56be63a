"""Publishing a group's results (#13): `POST /api/v1/publications/` and `publish_results`, by the
issuer's appraisers, refused with the units not appraised; afterwards every write is refused."""

import json

import pytest
from django.core.management import CommandError, call_command

from scoring.models import Assessment, AssessmentStatus, Publication, Result
from tests.factories import MembershipFactory
from tests.helpers import api_client as _api
from tests.helpers import publish as _publish
from tests.helpers import save_scores

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(make_group, communes):
    framework, period = make_group()
    save_scores(period, {c.code: {"1.1": ("5", "4"), "1.2": "3"} for c in communes})
    return framework, period


def test_publication_is_refused_listing_the_units_not_appraised(group, district, communes):
    framework, period = group
    appraiser = MembershipFactory(unit=district, role="appraiser").user
    Assessment.objects.filter(unit__in=communes[:2]).update(status=AssessmentStatus.APPRAISED)
    refused = _publish(appraiser, district)
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert [e["column"] for e in errors] == ["unit_code", "unit_code"]
    assert [communes[2].code in errors[0]["message"], communes[3].code in errors[1]["message"]] == [
        True,
        True,
    ]
    assert not Publication.objects.filter(framework=framework).exists()
    leader = MembershipFactory(unit=district, role="leader").user
    Assessment.objects.update(status=AssessmentStatus.APPRAISED)
    assert _publish(leader, district).status_code == 400
    assert not Publication.objects.filter(framework=framework).exists()


def test_the_appraiser_publishes_and_the_results_are_final(group, district, communes):
    framework, period = group
    appraiser = MembershipFactory(unit=district, role="appraiser").user
    Assessment.objects.filter(framework=framework).update(status=AssessmentStatus.APPRAISED)
    published = _publish(appraiser, district)
    assert published.status_code == 201, published.content
    assert published.json()["decision_number"] == "215/QĐ-UBND"
    assert not Result.objects.filter(framework=framework, provisional=True).exists()
    again = _publish(appraiser, district)
    assert again.status_code == 400 and "đã được công bố" in again.content.decode()
    # Every write after publication is refused: the scores API and the import.
    refused = _api(appraiser).put(
        f"/api/v1/assessments/{communes[0].code}/2024/scores/",
        json.dumps([{"sub_code": "1.1", "appraised_points": "6"}]),
        content_type="application/json",
    )
    assert refused.status_code == 400
    listed = _api(appraiser).get("/api/v1/publications/", {"issuer": district.code}).json()
    assert [p["decision_number"] for p in listed["results"]] == ["215/QĐ-UBND"]


def test_publish_results_command(group, district, capsys):
    framework, period = group
    with pytest.raises(CommandError, match="chưa được thẩm định|not appraised"):
        call_command(
            "publish_results",
            "--issuer",
            district.code,
            "--period",
            "2024",
            "--decision",
            "12/QĐ",
            "--date",
            "2025-01-10",
        )
    Assessment.objects.filter(framework=framework).update(status=AssessmentStatus.APPRAISED)
    call_command(
        "publish_results",
        "--issuer",
        district.code,
        "--period",
        "2024",
        "--decision",
        "12/QĐ",
        "--date",
        "2025-01-10",
    )
    assert "decision 12/QĐ of 10/01/2025" in capsys.readouterr().out
    assert Publication.objects.get(framework=framework).decision_number == "12/QĐ"


def test_the_annex_workbook_holds_the_published_ranking_in_rank_order(group, district):
    import io

    import openpyxl

    framework, period = group
    appraiser = MembershipFactory(unit=district, role="appraiser").user
    Assessment.objects.filter(framework=framework).update(status=AssessmentStatus.APPRAISED)
    publication = _publish(appraiser, district).json()
    response = _api(appraiser).get(f"/api/v1/publications/{publication['id']}/annex.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet[
        "A1"
    ].value == "Phụ lục kèm theo Quyết định số 215/QĐ-UBND ngày 23/01/2025 của " + (district.name)
    rows = [r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0] is not None]
    ranking = (
        _api(appraiser).get("/api/v1/rankings/", {"group": district.code, "period": "2024"}).json()
    )
    # Every unit of the API's ranking, in its order: name, index, band and rank alike.
    assert [(r[1], r[-3], r[-2], r[-1]) for r in rows] == [
        (row["unit_name"], row["index_percent"], row["band"], row["rank"]) for row in ranking
    ]
    # 4 appraised + 3 self = 7 points of 10 for each commune (area 1 holds them all).
    assert {r[2] for r in rows} == {7.0} and {r[3] for r in rows} == {7.0}
