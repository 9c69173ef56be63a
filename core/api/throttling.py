from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle


class TokenClientThrottle(SimpleRateThrottle):
    """Throttles systems that call with a token; browser sessions are people and are not."""

    scope = "token"

    def get_rate(self):
        return settings.API_TOKEN_RATE

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, Token):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class TokenEndpointThrottle(SimpleRateThrottle):
    """Slows password guessing at the token endpoint, per client address."""

    scope = "auth"

    def get_rate(self):
        return settings.API_AUTH_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
