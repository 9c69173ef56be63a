"""Evidence files are checked by what they hold: an office document is an archive of its
format's layout, not any zip renamed, and not one that unpacks to gigabytes."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from scoring.assessments.evidence import evidence_add
from scoring.assessments.scores import ScoreError
from scoring.models import Evidence, Score
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
XLSX = _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
PPTX = _zip({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p:presentation/>"})
ODT = _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"})


@pytest.fixture
def score_and_officer(make_group, communes):
    make_group()
    officer = MembershipFactory(unit=communes[0], role="commune_officer").user
    return Score.objects.get(assessment__unit=communes[0], sub_criterion__code="1.1"), officer


@pytest.mark.parametrize(
    "name,content",
    [("ke-hoach.docx", DOCX), ("bang.xlsx", XLSX), ("tt.pptx", PPTX), ("a.odt", ODT)],
)
def test_real_office_documents_are_accepted(score_and_officer, name, content):
    score, officer = score_and_officer
    evidence = evidence_add(score=score, upload=SimpleUploadedFile(name, content), user=officer)
    assert evidence.original_name == name


@pytest.mark.parametrize(
    "name,content,words",
    [
        ("renamed.docx", _zip({"readme.txt": "any zip"}), "not really a docx"),
        ("workbook-as.docx", XLSX, "not really a docx"),
        ("text.odt", _zip({"mimetype": "application/zip"}), "not really a odt"),
        ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 200, "damaged"),
    ],
)
def test_an_archive_that_is_not_the_document_it_claims_is_refused(
    score_and_officer, name, content, words
):
    score, officer = score_and_officer
    with pytest.raises(ScoreError, match=words):
        evidence_add(score=score, upload=SimpleUploadedFile(name, content), user=officer)
    assert not Evidence.objects.filter(score=score).exists()


def test_an_office_document_that_unpacks_to_gigabytes_is_refused_unopened(score_and_officer):
    score, officer = score_and_officer
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as part:
            chunk = b"0" * (4 * 1024 * 1024)
            for _ in range(100):  # 400 MB, in pieces
                part.write(chunk)
    with pytest.raises(ScoreError, match="unpacks to more than"):
        evidence_add(
            score=score, upload=SimpleUploadedFile("bom.docx", buffer.getvalue()), user=officer
        )
