"""The base every API viewset over scoped data uses, so a new endpoint cannot forget scoping."""


class ScopedViewSetMixin:
    """Restricts the viewset's `queryset` to what the signed-in user may see through the
    model's own `visible_to(user)`: an object outside the user's units answers 404, lists hold
    only their units."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)
