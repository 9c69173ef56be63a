"""What each kind of notice says, in the reader's language (the active one)."""

import datetime

from django.utils.translation import gettext as _

from notices.models import NoticeKind


def _date(value) -> str:
    if not value:
        return ""
    return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")


def notice_text(kind: str, params: dict) -> str:
    values = {**params, "due": _date(params.get("due")), "date": _date(params.get("date"))}
    if kind == NoticeKind.ROUND_OPENED:
        if values["due"]:
            return (
                _(
                    "The %(period)s round of framework %(framework)s is open for %(unit)s: "
                    "self-assess by %(due)s."
                )
                % values
            )
        return _("The %(period)s round of framework %(framework)s is open for %(unit)s.") % values
    if kind == NoticeKind.DEADLINE_SOON:
        return (
            _(
                "The self-assessment of %(unit)s for %(period)s is due on %(due)s, in 3 days; "
                "submit it before the end of that day."
            )
            % values
        )
    if kind == NoticeKind.RETURNED:
        return (
            _(
                "The appraisers returned the self-assessment of %(unit)s for %(period)s: "
                "%(items)s item(s) to explain."
            )
            % values
        )
    if kind == NoticeKind.APPRAISED:
        return _("The self-assessment of %(unit)s for %(period)s is appraised.") % values
    if kind == NoticeKind.PUBLISHED:
        return (
            _(
                "The %(period)s results of framework %(framework)s are published under "
                "decision %(number)s of %(date)s."
            )
            % values
        )
    return kind


def notice_subject(kind: str) -> str:
    return _("[CCHC portal] %(what)s") % {"what": NoticeKind(kind).label}
