"""Notices (#13): the bell counts what a person has not read; a round opened, a deadline in 3
days, a return, an appraisal and a publication each reach the right people once, by e-mail too
unless they turned it off."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from notices.models import Notice, NoticeKind
from scoring.models import Assessment, AssessmentStatus
from tests.factories import MembershipFactory
from tests.helpers import api_client as _api
from tests.helpers import save_scores

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework(district):
    from scoring.frameworks.services import framework_load
    from tests.factories import framework_doc

    loaded, _ = framework_load(document=framework_doc(), issuer_code=district.code, year=2026)
    return loaded


@pytest.fixture
def people(framework, district, communes, appraiser):
    """Officers of the first two communes (with e-mail), a leader of the district."""
    first = MembershipFactory(unit=communes[0], role="commune_officer").user
    second = MembershipFactory(unit=communes[1], role="commune_officer").user
    leader = MembershipFactory(unit=district, role="leader").user
    for n, user in enumerate([first, second, leader, appraiser]):
        user.email = f"user{n}@example.gov.vn"
        user.save()
    return {"first": first, "second": second, "leader": leader, "appraiser": appraiser}


def _open(appraiser, district, **extra):
    body = {"issuer": district.code, "period": "2026"} | extra
    response = _api(appraiser).post("/api/v1/rounds/", body, format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def _bell(user) -> str:
    page = Client()
    page.force_login(user)
    return page.get("/notices/").content.decode()


def test_a_round_opened_reaches_each_commune_officer_once(
    people, district, appraiser, django_capture_on_commit_callbacks
):
    # The e-mails leave once the write commits (the test's own transaction never does).
    with django_capture_on_commit_callbacks(execute=True):
        _open(appraiser, district, self_assessment_due="2026-12-20")
    first = people["first"]
    notices = Notice.objects.filter(recipient=first)
    assert [n.kind for n in notices] == [NoticeKind.ROUND_OPENED]
    assert Notice.objects.filter(recipient=people["leader"]).count() == 0
    # Opening again adds nothing: no second notice, no second e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        _open(appraiser, district)
    assert notices.count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["user0@example.gov.vn", "user1@example.gov.vn"]
    assert "20/12/2026" in mail.outbox[0].body and mail.outbox[0].subject.startswith("[Cổng")
    html = _bell(first)
    assert 'class="count"' in html and ">1</span>" in html
    assert "tự đánh giá trước ngày 20/12/2026" in html


def test_opening_a_notice_marks_it_read_and_goes_where_it_points(people, district, appraiser):
    _open(appraiser, district)
    first = people["first"]
    notice = Notice.objects.get(recipient=first)
    page = Client()
    page.force_login(first)
    opened = page.get(f"/notices/{notice.pk}/")
    assert opened.status_code == 302 and opened["Location"] == notice.url
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert 'class="count"' not in page.get("/notices/").content.decode()
    # Another person's notice is not theirs to open.
    assert Client().get(f"/notices/{notice.pk}/").status_code == 302  # to sign in
    other = Client()
    other.force_login(people["second"])
    assert other.get(f"/notices/{notice.pk}/").status_code == 404


def test_e_mail_off_keeps_the_bell(people, district, appraiser, django_capture_on_commit_callbacks):
    page = Client()
    page.force_login(people["first"])
    page.post("/notices/preference/", {})  # the box unticked
    with django_capture_on_commit_callbacks(execute=True):
        _open(appraiser, district)
    assert [m.to[0] for m in mail.outbox] == ["user1@example.gov.vn"]
    assert Notice.objects.filter(recipient=people["first"]).count() == 1


def test_return_appraisal_and_publication(people, framework, district, communes, appraiser):
    _open(appraiser, district)
    period = framework.assessments.first().period
    save_scores(period, {c.code: {"1.1": "5", "1.2": "3"} for c in communes})
    Assessment.objects.filter(framework=framework).update(status=AssessmentStatus.SUBMITTED)
    base = f"/api/v1/assessments/{communes[0].code}/2026/status/"
    returned = _api(appraiser).post(
        base,
        {"status": "returned", "items": {"1.1": "Thiếu tài liệu", "1.2": "Giải trình"}},
        format="json",
    )
    assert returned.status_code == 200
    first = people["first"]
    kinds = list(Notice.objects.filter(recipient=first).values_list("kind", flat=True))
    assert kinds == [NoticeKind.RETURNED, NoticeKind.ROUND_OPENED]
    assert "2 mục cần giải trình" in _bell(first)
    assert not Notice.objects.filter(recipient=people["second"], kind=NoticeKind.RETURNED)

    Assessment.objects.filter(framework=framework).update(status=AssessmentStatus.SUBMITTED)
    appraised = _api(appraiser).put(
        f"/api/v1/assessments/{communes[1].code}/2026/scores/",
        [
            {"sub_code": "1.1", "appraised_points": "5"},
            {"sub_code": "1.2", "appraised_points": "3"},
        ],
        format="json",
    )
    assert appraised.status_code == 200
    finished = _api(appraiser).post(
        f"/api/v1/assessments/{communes[1].code}/2026/status/",
        {"status": "appraised"},
        format="json",
    )
    assert finished.status_code == 200
    assert Notice.objects.filter(recipient=people["second"], kind=NoticeKind.APPRAISED).count()

    Assessment.objects.filter(framework=framework).update(status=AssessmentStatus.APPRAISED)
    published = _api(appraiser).post(
        "/api/v1/publications/",
        {
            "issuer": district.code,
            "period": "2026",
            "decision_number": "9/QĐ",
            "decision_date": "2027-01-10",
        },
        format="json",
    )
    assert published.status_code == 201
    told = set(
        Notice.objects.filter(kind=NoticeKind.PUBLISHED, params__number="9/QĐ").values_list(
            "recipient", flat=True
        )
    )
    assert told == {people[k].pk for k in ("first", "second", "leader", "appraiser")}
    assert "quyết định số 9/QĐ ngày 10/01/2027" in _bell(people["leader"])


def test_deadline_reminders_three_days_ahead_once(people, district, communes, appraiser):
    today = timezone.localdate()
    due = today + datetime.timedelta(days=3)
    opened = _open(appraiser, district, self_assessment_due=due.isoformat())
    # The second commune has an extension: reminded three days before its own end instead.
    until = due + datetime.timedelta(days=7)
    _api(appraiser).post(
        f"/api/v1/rounds/{opened['id']}/extensions/",
        {"unit_code": communes[1].code, "until": until.isoformat()},
        format="json",
    )
    call_command("remind_deadlines")
    call_command("remind_deadlines")
    reminded = Notice.objects.filter(kind=NoticeKind.DEADLINE_SOON)
    assert list(reminded.values_list("recipient", flat=True)) == [people["first"].pk]
    assert f"hạn {due:%d/%m/%Y}" in _bell(people["first"])
    # A submitted self-assessment is not reminded.
    from scoring.rounds.notifications import deadline_reminders

    Assessment.objects.filter(unit=communes[1]).update(status=AssessmentStatus.SUBMITTED)
    assert deadline_reminders(until - datetime.timedelta(days=3)) == 0
    Assessment.objects.filter(unit=communes[1]).update(status=AssessmentStatus.OPEN)
    assert deadline_reminders(until - datetime.timedelta(days=3)) == 1
