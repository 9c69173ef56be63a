"""E-mail a notice to its recipient, in their language, when they want e-mail."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation

from notices.models import Notice, NoticePreference
from notices.texts import notice_subject, notice_text

log = logging.getLogger(__name__)


def notices_email(ids) -> int:
    notices = list(
        Notice.objects.filter(pk__in=list(ids), emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient")
    )
    preferences = {
        p.user_id: p
        for p in NoticePreference.objects.filter(user_id__in={n.recipient_id for n in notices})
    }
    sent = 0
    for notice in notices:
        preference = preferences.get(notice.recipient_id)
        if preference is not None and not preference.email:
            continue
        language = preference.language if preference else settings.LANGUAGE_CODE
        with translation.override(language):
            body = notice_text(notice.kind, notice.params)
            if notice.url:
                body += "\n\n" + settings.SITE_URL.rstrip("/") + notice.url
            try:
                send_mail(
                    notice_subject(notice.kind),
                    body,
                    None,
                    [notice.recipient.email],
                )
            except OSError:
                # The mail server is down: the notice stays in the bell; say so in the log.
                log.warning("notice %s not e-mailed: the mail server refused", notice.pk)
                continue
        Notice.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
