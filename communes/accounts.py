"""Self-service password reset by e-mail (Django's own views), for users with an address.

Django sends a reset mail for every request; here a client address and an e-mail address each
get a few per hour, so the form cannot be used to flood someone's mailbox. The page says the
same thing whether or not a mail went out, so it tells nobody which addresses have accounts.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpResponseRedirect

RESETS_PER_HOUR = 5


def _spent(key: str) -> int:
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        return 1


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        address = self.request.META.get("REMOTE_ADDR", "")
        if settings.AXES_IPWARE_PROXY_COUNT:
            forwarded = self.request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            address = forwarded[-settings.AXES_IPWARE_PROXY_COUNT].strip() or address
        email = form.cleaned_data["email"].strip().lower()
        over = [
            _spent(f"password-reset:ip:{address}") > RESETS_PER_HOUR,
            _spent(f"password-reset:email:{email}") > RESETS_PER_HOUR,
        ]
        if any(over):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
