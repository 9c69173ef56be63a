"""Notify people: a notice in the bell, and an e-mail to those who want one (after commit, by
the worker, so a save never waits for a mail server)."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from communes.models import Membership
from notices.models import Notice, NoticePreference


def unit_members(unit_ids, roles) -> dict[int, set[int]]:
    """{unit id: ids of the active users holding one of `roles` on that very unit}."""
    members: dict[int, set[int]] = {}
    rows = Membership.objects.filter(
        unit_id__in=list(unit_ids), role__in=list(roles), user__is_active=True
    ).values_list("unit_id", "user_id")
    for unit_id, user_id in rows:
        members.setdefault(unit_id, set()).add(user_id)
    return members


def notify(notices: list[tuple[int, str, dict, str, str]]) -> int:
    """notices: (recipient id, kind, params, url, key). A key already sent to that person is
    skipped. Answers how many were created."""
    if not notices:
        return 0
    keys = [(r, k) for r, _kind, _p, _u, k in notices if k]
    sent = set()
    if keys:
        query = Q()
        for recipient, key in keys:
            query |= Q(recipient_id=recipient, key=key)
        sent = set(Notice.objects.filter(query).values_list("recipient_id", "key"))
    new = [
        Notice(recipient_id=r, kind=kind, params=params, url=url, key=key)
        for r, kind, params, url, key in notices
        if not key or (r, key) not in sent
    ]
    try:
        with transaction.atomic():
            created = Notice.objects.bulk_create(new)
    except IntegrityError:
        # Someone sent the same event at the same moment: keep what is not a repeat.
        created = []
        for notice in new:
            try:
                with transaction.atomic():
                    notice.save()
                created.append(notice)
            except IntegrityError:
                continue
    ids = [n.pk for n in created]
    if ids:
        transaction.on_commit(lambda: _send_later(ids))
    return len(ids)


def _send_later(ids):
    from notices.tasks import send_notice_emails

    send_notice_emails.delay(ids)


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()


def notices_mark_read(user, ids=None) -> int:
    notices = Notice.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        notices = notices.filter(pk__in=ids)
    return notices.update(read_at=timezone.now())


def wants_email(user) -> bool:
    """E-mail is on until the user turns it off (no row: never chose)."""
    chosen = NoticePreference.objects.filter(user=user).values_list("email", flat=True).first()
    return True if chosen is None else chosen


def preference_set(user, *, email: bool, language: str) -> NoticePreference:
    preference, _created = NoticePreference.objects.update_or_create(
        user=user, defaults={"email": email, "language": language}
    )
    return preference


def users_by_id(ids):
    return get_user_model().objects.in_bulk(list(ids))
