"""Evidence files: only what an office produces, within a size limit, checked by content."""

import zipfile
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.files import MAX_UNPACKED_BYTES
from scoring.assessments import rules
from scoring.assessments.scores import ScoreError
from scoring.models import Evidence, Score
from scoring.points import not_scored_reason

# extension → (content type, how the first bytes must look)
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (b"PK\x03\x04",),
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
}


def _check(upload) -> str:
    """The content type to store, or ScoreError naming what is wrong with the file."""
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED:
        raise ScoreError(
            _("%(name)s: only PDF, images (PNG, JPEG) and office documents are accepted.")
            % {"name": name},
            "file",
        )
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ScoreError(
            _("%(name)s is %(size).1f MB; the limit is %(max).0f MB.")
            % {"name": name, "size": upload.size / 1e6, "max": settings.EVIDENCE_MAX_BYTES / 1e6},
            "file",
        )
    if upload.size == 0:
        raise ScoreError(_("%(name)s is empty.") % {"name": name}, "file")
    content_type, signatures = ALLOWED[extension]
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(signatures):
        raise ScoreError(
            _("%(name)s is not really a %(kind)s file.") % {"name": name, "kind": extension[1:]},
            "file",
        )
    if signatures == (b"PK\x03\x04",):
        _check_package(upload, name, extension)
    upload.seek(0)
    return content_type


# What each office format's archive must hold: any zip renamed .docx is not a document.
PACKAGE_PARTS = {
    ".docx": "word/document.xml",
    ".xlsx": "xl/workbook.xml",
    ".pptx": "ppt/presentation.xml",
}


def _check_package(upload, name: str, extension: str) -> None:
    """An office document is a zip archive of a known layout, not any zip, and not one that
    unpacks to more than a document ever does (a zip bomb for whoever opens it)."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = {info.filename: info for info in archive.infolist()}
            if sum(info.file_size for info in members.values()) > MAX_UNPACKED_BYTES:
                raise ScoreError(
                    _("%(name)s unpacks to more than %(mb)d MB and is refused.")
                    % {"name": name, "mb": MAX_UNPACKED_BYTES // (1024 * 1024)},
                    "file",
                )
            if extension in PACKAGE_PARTS:
                sound = "[Content_Types].xml" in members and PACKAGE_PARTS[extension] in members
            else:  # OpenDocument: the first member names the kind
                mimetype = ALLOWED[extension][0].encode()
                sound = "mimetype" in members and archive.read("mimetype").strip() == mimetype
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as exc:
        raise ScoreError(_("%(name)s is damaged.") % {"name": name}, "file") from exc
    if not sound:
        raise ScoreError(
            _("%(name)s is not really a %(kind)s file.") % {"name": name, "kind": extension[1:]},
            "file",
        )


def evidence_add(*, score: Score, upload, user) -> Evidence:
    """Attach a file to a score: commune officers of the unit, while self-assessment is open."""
    refusal = rules.self_assessment_refusal(user, score.assessment)
    if refusal:
        raise ScoreError(refusal.message, "file")
    reason = not_scored_reason(score.sub_criterion)
    if reason:
        raise ScoreError(reason, "file")
    content_type = _check(upload)
    with transaction.atomic():
        return Evidence.objects.create(
            score=score,
            file=upload,
            original_name=PurePath(upload.name).name[:255],
            content_type=content_type,
            size=upload.size,
            uploaded_by=user,
        )


def evidence_delete(*, evidence: Evidence, user) -> None:
    # The same rule as adding: after submission or publication the evidence stays as it was.
    refusal = rules.self_assessment_refusal(user, evidence.score.assessment)
    if refusal:
        raise ScoreError(refusal.message)
    evidence.file.delete(save=False)
    evidence.delete()
