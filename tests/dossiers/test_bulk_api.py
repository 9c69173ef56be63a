"""formats.md: a month for every commune of the three-tier list in one POST, all or nothing."""

import datetime

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from communes.models import AdministrativeUnit, Level
from communes.services import units_load
from dossiers.models import DossierReport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
THREE_TIER = settings.DATA_DIR / "units_2025-03_three_tier.csv"


def test_one_post_of_10035_rows_succeeds_and_one_bad_row_writes_nothing():
    units_load(
        path=THREE_TIER, valid_from=datetime.date(2019, 1, 1), valid_to=datetime.date(2025, 6, 30)
    )
    codes = list(
        AdministrativeUnit.objects.filter(level=Level.COMMUNE)
        .valid_on(datetime.date(2025, 3, 1))
        .values_list("code", flat=True)
    )
    assert len(codes) == 10035
    body = [
        {
            "commune_code": code,
            "month": "2025-03",
            "received": 40 + i % 60,
            "resolved_early": 30,
            "resolved_on_time": 10 + i % 60,
            "resolved_late": 0,
            "online_full": 12,
            "online_partial": 8,
            "postal": 3,
            "digitized": 35,
        }
        for i, code in enumerate(codes)
    ]
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(UserFactory(is_superuser=True))

    bad = [dict(row) for row in body]
    bad[7000]["resolved_late"] = -1
    response = client.post("/api/v1/dossier-reports/", bad, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "row": 7001,
            "column": "resolved_late",
            "message": "-1 is negative; counts must be 0 or more",
        }
    ]
    assert not DossierReport.objects.filter(month=datetime.date(2025, 3, 1)).exists()

    response = client.post("/api/v1/dossier-reports/", body, format="json")
    assert response.status_code == 200
    assert response.json()["created"] == 10035 and response.json()["updated"] == 0
    assert DossierReport.objects.filter(month=datetime.date(2025, 3, 1)).count() == 10035

    for row in body:
        row["received"] += 1
        row["resolved_early"] += 1
    response = client.post("/api/v1/dossier-reports/", body, format="json")
    assert (response.json()["created"], response.json()["updated"]) == (0, 10035)
    assert DossierReport.history.filter(month=datetime.date(2025, 3, 1)).count() == 2 * 10035
