"""How systems calling the API with a token are told from one another."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (`Authorization: Token …`), the token's user read by one
    written-out query: every call with a token asks it, and building the ORM's join took
    longer than PostgreSQL took to answer it (#16)."""

    def authenticate_credentials(self, key):
        user_model = get_user_model()
        quote = connection.ops.quote_name
        users = user_model.objects.raw(
            f"SELECT u.*, t.created AS token_created FROM {quote(Token._meta.db_table)} t "
            f"JOIN {quote(user_model._meta.db_table)} u ON u.id = t.user_id WHERE t.key = %s",
            [key],
        )
        user = next(iter(users), None)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token.from_db(
            connection.alias, ["key", "user_id", "created"], [key, user.pk, user.token_created]
        )
        token.user = user
        return user, token
