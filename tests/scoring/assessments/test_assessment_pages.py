"""Self-assessment, appraisal and the group overview in the browser's terms: pages, in-place
saves, evidence, submit / return / finish, conflicts and what each page costs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.services import dossier_reports_save
from scoring.models import Assessment, AssessmentStatus, Result, Score
from tests.factories import MembershipFactory, framework_doc
from tests.helpers import dossier_row, recompute, save_scores

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTMX = {"HTTP_HX_REQUEST": "true"}

DOC = framework_doc(
    areas=[
        {
            "code": "1",
            "name": "Chỉ đạo điều hành",
            "sub_criteria": [
                {"code": "1.1", "name": "Kế hoạch CCHC", "max_points": 6, "method": "manual"},
                {"code": "1.2", "name": "Báo cáo", "max_points": 4, "method": "manual"},
            ],
        },
        {
            "code": "3",
            "name": "Thủ tục hành chính",
            "sub_criteria": [
                {
                    "code": "3.2",
                    "name": "Hồ sơ đúng hạn",
                    "max_points": 5,
                    "method": "steps",
                    "metric": "on_time_rate",
                    "steps": [[100, 5], [98, 4], [95, 3], [0, 0]],
                },
            ],
        },
    ]
)


@pytest.fixture
def sheet(make_group, district, communes):
    """A group of four communes; the first resolved 993 of 1,000 dossiers on time (99,3 %)."""
    framework, period = make_group(DOC)
    own = communes[0]
    assert dossier_reports_save(
        records=[
            (
                2,
                dossier_row(
                    own.code, "2024-05", received=1000, resolved_on_time=993, resolved_late=7
                ),
            )
        ]
    ).ok
    recompute(framework, period)
    return {
        "framework": framework,
        "period": period,
        "own": own,
        "other": communes[1],
        "url": f"/assessments/{own.code}/{period.code}/",
        "appraisal_url": f"/appraisal/{own.code}/{period.code}/",
        "officer": MembershipFactory(unit=own, role="commune_officer").user,
        "other_officer": MembershipFactory(unit=communes[1], role="commune_officer").user,
        "appraiser": MembershipFactory(unit=district, role="appraiser").user,
        "second_appraiser": MembershipFactory(unit=district, role="appraiser").user,
        "leader": MembershipFactory(unit=district, role="leader").user,
    }


def save(client, sheet, sub, field, value, was=""):
    return client.post(
        f"{sheet['url']}scores/{sub}/", {"field": field, field: value, "was": was}, **HTMX
    )


def score_of(sheet, sub, unit=None):
    return Score.objects.get(
        assessment__unit=unit or sheet["own"],
        assessment__period=sheet["period"],
        sub_criterion__code=sub,
    )


def test_the_self_assessment_shows_the_rule_that_gave_derived_points(client, sheet):
    client.force_login(sheet["officer"])
    html = client.get(sheet["url"]).content.decode()
    # Vietnamese by default, numbers in Vietnamese style.
    assert "Tỷ lệ đúng hạn 99,3% → 4/5 điểm" in html
    assert "≥ 98%: 4" in html
    assert 'name="self_points"' in html and "Xem lại và nộp" in html
    client.cookies["django_language"] = "en"
    english = client.get(sheet["url"]).content.decode()
    assert "On-time rate 99.3% → 4/5 points" in english


def test_points_save_as_typed_and_totals_follow(client, sheet):
    client.force_login(sheet["officer"])
    response = save(client, sheet, "1.1", "self_points", "5,5")
    html = response.content.decode()
    assert response.status_code == 200 and "Đã lưu" in html
    assert score_of(sheet, "1.1").self_points == pytest.approx(5.5)
    # The totals of the page: 5,5 typed + 4 derived from the statistics.
    assert 'id="sheet-claimed" hx-swap-oob="true">9,5<' in html
    assert 'id="area-claimed-1" hx-swap-oob="true">5,5<' in html
    assert 'id="was-self_points-1-1" name="was" value="5,5"' in html


def test_out_of_range_points_are_refused_in_place_and_nothing_is_written(client, sheet):
    client.force_login(sheet["officer"])
    client.cookies["django_language"] = "en"
    response = save(client, sheet, "1.1", "self_points", "7")
    assert response.status_code == 400
    assert "7 is outside 0…6" in response.content.decode()
    assert score_of(sheet, "1.1").self_points is None
    text = save(client, sheet, "1.2", "self_points", "bốn")
    assert text.status_code == 400 and "is not a number" in text.content.decode()


def test_submit_names_what_is_missing_then_closes_the_sheet(client, sheet):
    client.force_login(sheet["officer"])
    client.cookies["django_language"] = "en"
    refused = client.post(sheet["url"] + "submit/")
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "1.1 Kế hoạch CCHC has no self points yet." in html
    assert "1.2 Báo cáo has no self points yet." in html
    assert "3.2" not in html.split("Not done yet")[1].split("</section>")[0]  # derived
    save(client, sheet, "1.1", "self_points", "6")
    save(client, sheet, "1.2", "self_points", "3")
    done = client.post(sheet["url"] + "submit/", follow=True)
    assert "was submitted for appraisal" in done.content.decode()
    assessment = Assessment.objects.get(unit=sheet["own"], period=sheet["period"])
    assert assessment.status == AssessmentStatus.SUBMITTED and assessment.submitted_at
    closed = save(client, sheet, "1.1", "self_points", "1", was="6")
    assert closed.status_code == 400 and "submitted and is closed" in closed.content.decode()
    assert 'name="self_points"' not in client.get(sheet["url"]).content.decode()


def test_submitting_first_shows_what_will_be_handed_over(client, sheet):
    client.force_login(sheet["officer"])
    client.cookies["django_language"] = "en"
    save(client, sheet, "1.1", "self_points", "6")
    before = client.get(sheet["url"] + "submit/")
    html = before.content.decode()
    assert before.status_code == 200
    summary = before.context["sheet"]
    assert [r.sub.code for r in summary.unscored] == ["1.2"]
    assert "1 sub-criterion has no self points yet" in html
    assert "2 items without an explanation" in html and "2 items without evidence" in html
    # 6 typed for 1.1, and 4 of 5 that 99,3 % on time gives 3.2.
    assert "Self-assessed total: <strong>10</strong> of 15 points." in html
    assert 'type="submit" disabled' in html  # 1.2 must be scored first
    # Looking at the summary changes nothing.
    assessment = Assessment.objects.get(unit=sheet["own"], period=sheet["period"])
    assert assessment.status == AssessmentStatus.OPEN
    save(client, sheet, "1.2", "self_points", "3")
    ready = client.get(sheet["url"] + "submit/").content.decode()
    assert "has no self points yet" not in ready and 'type="submit" disabled' not in ready


def test_evidence_is_attached_listed_refused_and_removed_in_place(client, sheet):
    client.force_login(sheet["officer"])
    client.cookies["django_language"] = "en"
    url = f"{sheet['url']}scores/1.1/evidence/"
    added = client.post(
        url, {"file": SimpleUploadedFile("ke-hoach.pdf", PDF, "application/pdf")}, **HTMX
    )
    assert added.status_code == 200 and "ke-hoach.pdf" in added.content.decode()
    fake = client.post(
        url, {"file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", "application/pdf")}, **HTMX
    )
    assert fake.status_code == 400 and "not really a pdf file" in fake.content.decode()
    evidence = score_of(sheet, "1.1").evidence.get()
    assert evidence.original_name == "ke-hoach.pdf"
    assert client.get(f"/api/v1/evidence/{evidence.pk}/").status_code == 200
    removed = client.post(f"{sheet['url']}evidence/{evidence.pk}/remove/", **HTMX)
    assert removed.status_code == 200 and "No files" in removed.content.decode()
    assert not score_of(sheet, "1.1").evidence.exists()


def test_other_units_answer_404_on_every_sheet_url(client, sheet):
    client.force_login(sheet["other_officer"])
    for url in (sheet["url"], sheet["appraisal_url"], sheet["url"] + "submit/"):
        method = client.post if url.endswith("submit/") else client.get
        assert method(url).status_code == 404
    assert save(client, sheet, "1.1", "self_points", "1").status_code == 404
    upload = client.post(
        f"{sheet['url']}scores/1.1/evidence/",
        {"file": SimpleUploadedFile("a.pdf", PDF)},
        **HTMX,
    )
    assert upload.status_code == 404
    assert score_of(sheet, "1.1").self_points is None


def test_the_appraiser_changes_a_score_in_place_and_the_ranking_moves(
    client, sheet, communes, django_capture_on_commit_callbacks
):
    save_scores(sheet["period"], {c.code: {"1.1": "5", "1.2": "3"} for c in communes})
    save_scores(sheet["period"], {sheet["other"].code: {"1.1": "6", "1.2": "4"}})
    recompute(sheet["framework"], sheet["period"])
    rank = Result.objects.get(unit=sheet["own"], period=sheet["period"]).rank
    assert rank == 1  # 5 + 3 + 4 derived beats 6 + 4 + 0
    client.force_login(sheet["appraiser"])
    sheet_html = client.get(sheet["appraisal_url"]).content.decode()
    assert 'name="appraised_points"' in sheet_html and "points-input" in sheet_html
    with django_capture_on_commit_callbacks(execute=True):  # the recompute follows the commit
        response = client.post(
            f"{sheet['url']}scores/1.1/",
            {"field": "appraised_points", "appraised_points": "1", "was": ""},
            **HTMX,
        )
    assert response.status_code == 200
    result = Result.objects.get(unit=sheet["own"], period=sheet["period"])
    assert (result.total_points, result.rank) == (8, 2)
    client.force_login(sheet["leader"])
    dashboard = client.get(
        "/rankings/", {"group": sheet["framework"].issuer.code, "period": "2024"}
    )
    ranked = [(r.unit.code, r.rank) for r in dashboard.context["dashboard"].rows]
    assert ranked[0] == (sheet["other"].code, 1) and (sheet["own"].code, 2) in ranked


def test_a_second_appraiser_gets_a_conflict_showing_the_current_value(client, sheet):
    client.force_login(sheet["appraiser"])
    first = save(client, sheet, "1.1", "appraised_points", "4", was="")
    assert first.status_code == 200
    client.force_login(sheet["second_appraiser"])
    client.cookies["django_language"] = "en"
    stale = save(client, sheet, "1.1", "appraised_points", "2", was="")
    html = stale.content.decode()
    assert stale.status_code == 409
    assert "changed this to 4" in html and "your value was not saved" in html
    assert 'name="was" value="4"' in html  # typing again replaces it knowingly
    assert score_of(sheet, "1.1").appraised_points == 4
    again = save(client, sheet, "1.1", "appraised_points", "2", was="4")
    assert again.status_code == 200 and score_of(sheet, "1.1").appraised_points == 2


def test_return_for_explanation_reopens_and_finish_marks_appraised(client, sheet):
    save_scores(sheet["period"], {sheet["own"].code: {"1.1": "6", "1.2": "4"}})
    client.force_login(sheet["officer"])
    client.post(sheet["url"] + "submit/")
    client.force_login(sheet["appraiser"])
    client.cookies["django_language"] = "en"
    empty = client.post(sheet["appraisal_url"] + "return/", {"return_note": " "})
    assert empty.status_code == 400 and "Say what the commune must explain" in (
        empty.content.decode()
    )
    client.post(sheet["appraisal_url"] + "return/", {"return_note": "Thiếu kế hoạch số"})
    assessment = Assessment.objects.get(unit=sheet["own"], period=sheet["period"])
    assert assessment.status == AssessmentStatus.RETURNED
    client.force_login(sheet["officer"])
    page = client.get(sheet["url"]).content.decode()
    assert "Thiếu kế hoạch số" in page and 'name="self_points"' in page
    client.post(sheet["url"] + "submit/")
    client.force_login(sheet["appraiser"])
    # Not ready: 1.1 and 1.2 are scored by people and have no appraised points yet.
    early = client.post(sheet["appraisal_url"] + "finish/")
    assert early.status_code == 400
    assert "still without appraised points: 1.1, 1.2" in early.content.decode()
    save(client, sheet, "1.1", "appraised_points", "6")
    save(client, sheet, "1.2", "appraised_points", "3")
    finished = client.post(sheet["appraisal_url"] + "finish/")
    assert finished.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.APPRAISED and assessment.appraised_at


def test_the_leader_reads_the_sheet_but_cannot_change_it(client, sheet):
    client.force_login(sheet["leader"])
    html = client.get(sheet["appraisal_url"]).content.decode()
    assert 'name="appraised_points"' not in html and "Kế hoạch CCHC" in html
    assert save(client, sheet, "1.1", "appraised_points", "1").status_code == 400
    assert score_of(sheet, "1.1").appraised_points is None


def test_overview_shows_every_unit_with_status_and_totals(client, sheet, communes):
    save_scores(sheet["period"], {sheet["own"].code: {"1.1": ("6", "5"), "1.2": "4"}})
    recompute(sheet["framework"], sheet["period"])
    client.force_login(sheet["appraiser"])
    page = client.get("/appraisal/", {"group": sheet["framework"].issuer.code, "period": "2024"})
    rows = {a.unit.code: a for a in page.context["rows"]}
    assert len(rows) == 4
    own = rows[sheet["own"].code]
    assert (own.stage, own.claimed_total, own.in_effect_total) == ("open", 14, 13)
    assert rows[sheet["other"].code].stage == "not_started"
    # What the sheet shows before any recompute equals what the engine computes.
    result = Result.objects.get(unit=sheet["own"], period=sheet["period"])
    assert own.in_effect_total == result.total_points
    stages = {s.code: s.count for s in page.context["stages"]}
    assert stages["not_started"] == 3 and stages["open"] == 1


def test_a_return_asks_about_items_and_the_commune_answers_each(client, sheet):
    client.force_login(sheet["officer"])
    client.cookies["django_language"] = "en"
    save(client, sheet, "1.1", "self_points", "6")
    save(client, sheet, "1.2", "self_points", "3")
    client.post(sheet["url"] + "submit/")
    client.force_login(sheet["appraiser"])
    sheet_html = client.get(sheet["appraisal_url"]).content.decode()
    assert 'name="item-1.1" form="return-form"' in sheet_html
    returned = client.post(
        sheet["appraisal_url"] + "return/",
        {"item-1.1": "Thiếu quyết định ban hành kế hoạch", "item-1.2": " ", "return_note": ""},
    )
    assert returned.status_code == 302
    assessment = Assessment.objects.get(unit=sheet["own"], period=sheet["period"])
    assert assessment.status == AssessmentStatus.RETURNED
    assert score_of(sheet, "1.1").return_note == "Thiếu quyết định ban hành kế hoạch"
    assert score_of(sheet, "1.2").return_note == ""
    # The commune's home page says so, and its sheet highlights the item with its question.
    client.force_login(sheet["officer"])
    home = client.get(f"/units/{sheet['own'].code}/").content.decode()
    assert "returned the self-assessment of Year 2024 for explanation" in home
    assert "1 item to answer." in home
    page = client.get(sheet["url"])
    assert [r.sub.code for r in page.context["sheet"].returned] == ["1.1"]
    html = page.content.decode()
    assert 'class=" returned"' in html and "Thiếu quyết định ban hành kế hoạch" in html
    assert 'name="return_answer"' in html
    answered = save(client, sheet, "1.1", "return_answer", "Đã bổ sung Quyết định 12/QĐ-UBND")
    assert answered.status_code == 200
    assert score_of(sheet, "1.1").return_answer == "Đã bổ sung Quyết định 12/QĐ-UBND"
    client.post(sheet["url"] + "submit/")
    # The appraiser reads the answer beside the question.
    client.force_login(sheet["appraiser"])
    html = client.get(sheet["appraisal_url"]).content.decode()
    assert "Đã bổ sung Quyết định 12/QĐ-UBND" in html
    # Another user of the commune's group cannot answer for it.
    client.force_login(sheet["other_officer"])
    assert save(client, sheet, "1.1", "return_answer", "x").status_code == 404


def test_a_return_needs_a_note_for_the_whole_or_for_an_item(client, sheet):
    client.force_login(sheet["officer"])
    save(client, sheet, "1.1", "self_points", "6")
    save(client, sheet, "1.2", "self_points", "3")
    client.post(sheet["url"] + "submit/")
    client.force_login(sheet["appraiser"])
    client.cookies["django_language"] = "en"
    refused = client.post(sheet["appraisal_url"] + "return/", {"item-1.1": " ", "return_note": ""})
    assert refused.status_code == 400
    assert "Say what the commune must explain" in refused.content.decode()
    unknown = client.post(sheet["appraisal_url"] + "return/", {"item-9.9": "?"})
    assert unknown.status_code == 400 and "no sub-criterion 9.9" in unknown.content.decode()
    assessment = Assessment.objects.get(unit=sheet["own"], period=sheet["period"])
    assert assessment.status == AssessmentStatus.SUBMITTED
