"""Frameworks in the browser: the tree, the downloads and the upload with its messages."""

import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from scoring.models import Framework
from tests.factories import MembershipFactory, framework_doc

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def loaded(make_group, district):
    doc = framework_doc()
    doc["areas"].append(
        {
            "code": "2",
            "name": "Hồ sơ",
            "sub_criteria": [
                {
                    "code": "2.1",
                    "name": "Đúng hạn",
                    "max_points": 5,
                    "method": "steps",
                    "metric": "on_time_rate",
                    "steps": [[100, 5], [97.5, 4], [0, 0]],
                },
                {
                    "code": "2.2",
                    "name": "Trực tuyến",
                    "max_points": 4,
                    "method": "ratio_target",
                    "metric": "online_rate",
                    "target_percent": 50,
                },
            ],
        }
    )
    framework, _period = make_group(doc)
    return framework


def upload(client, district, name, content, year=2025):
    return client.post(
        "/frameworks/",
        {"issuer": district.code, "year": year, "file": SimpleUploadedFile(name, content)},
    )


def test_the_tree_shows_areas_maxima_methods_and_rules(client, loaded, appraiser):
    client.force_login(appraiser)
    client.cookies["django_language"] = "en"
    html = client.get(f"/frameworks/{loaded.pk}/").content.decode()
    assert "Area one" in html and "Hồ sơ" in html
    assert "≥ 97.5%: 4" in html and "Full points from 50%, proportional below." in html
    assert "On-time rate" in html and "Ratio to target" in html and "Manual" in html
    listing = client.get("/frameworks/").content.decode()
    assert "TEST" in listing and "Upload a framework" in listing


def test_a_downloaded_workbook_uploads_again_as_the_same_framework(
    client, loaded, appraiser, district
):
    client.force_login(appraiser)
    workbook = client.get(f"/frameworks/{loaded.pk}/download.xlsx")
    assert workbook.status_code == 200 and workbook["Content-Type"] == XLSX
    sheets = openpyxl.load_workbook(io.BytesIO(workbook.content)).sheetnames
    assert sheets == ["framework", "bands", "areas", "sub_criteria"]
    response = upload(client, district, "khung.xlsx", workbook.content, year=2025)
    assert response.status_code == 302
    again = Framework.objects.get(issuer=district, year=2025, code="TEST")
    as_json = json.loads(client.get(f"/frameworks/{loaded.pk}/download.json").content)
    copy = json.loads(client.get(f"/frameworks/{again.pk}/download.json").content)
    assert copy == as_json and copy["areas"][1]["sub_criteria"][0]["steps"][1] == [97.5, 4]


def test_bad_files_get_messages_on_the_page_and_nothing_is_loaded(client, appraiser, district):
    client.force_login(appraiser)
    client.cookies["django_language"] = "en"
    broken = upload(client, district, "khung.json", b'{"code": "X",\n "name": }')
    assert broken.status_code == 400
    assert "The JSON is not valid at line 2, column 10" in broken.content.decode()
    doc = framework_doc(code="BAD")
    doc["areas"][0]["sub_criteria"].append(
        {
            "code": "1.3",
            "name": "C",
            "max_points": 2,
            "method": "steps",
            "metric": "on_time_rate",
            "steps": [[100, 3], [0, 0]],
        }
    )
    invalid = upload(client, district, "khung.json", json.dumps(doc).encode())
    assert invalid.status_code == 400 and "1.3" in invalid.content.decode()
    pdf = upload(client, district, "khung.xlsx", b"%PDF-1.4 not a workbook")
    assert pdf.status_code == 400 and "not an Excel workbook" in pdf.content.decode()
    other = upload(client, district, "khung.csv", b"code,name")
    assert other.status_code == 400 and "Upload a .json or .xlsx file." in other.content.decode()
    assert not Framework.objects.filter(issuer=district, year=2025).exists()


def test_a_workbook_with_problems_names_sheet_row_and_column(client, appraiser, district):
    client.force_login(appraiser)
    client.cookies["django_language"] = "en"
    workbook = openpyxl.Workbook()
    workbook.active.title = "framework"
    workbook.active.append(["field", "value"])
    workbook.active.append(["code", "X"])
    subs = workbook.create_sheet("sub_criteria")
    subs.append(["area_code", "code", "name", "max_points", "method", "steps"])
    subs.append(["9", "9.1", "A", 2, "steps", "100-2"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, district, "khung.xlsx", buffer.getvalue())
    html = response.content.decode()
    assert response.status_code == 400
    assert "The sheet “bands” is missing." in html
    assert "sheet “sub_criteria”, row 2, column area_code: no area “9”" in html


def test_only_appraisers_of_an_issuer_may_upload(client, loaded, communes, district):
    officer = MembershipFactory(unit=communes[0], role="commune_officer").user
    client.force_login(officer)
    page = client.get("/frameworks/")
    assert page.status_code == 200 and page.context["form"] is None
    # The officer reads the framework that assesses their commune …
    assert client.get(f"/frameworks/{loaded.pk}/").status_code == 200
    # … but cannot load one.
    assert (
        upload(client, district, "k.json", json.dumps(framework_doc()).encode()).status_code == 404
    )
    stranger = MembershipFactory(role="commune_officer").user
    client.force_login(stranger)
    assert client.get(f"/frameworks/{loaded.pk}/").status_code == 404
    assert client.get(f"/frameworks/{loaded.pk}/download.xlsx").status_code == 404
