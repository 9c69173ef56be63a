"""Who may write monthly statistics: the only place this rule lives.

Only the commune's officers (and administrators) enter its one-stop statistics; appraisers and
leaders read them. Forms, uploads, the API and the admin all ask here.
"""

from django.utils.translation import gettext as _

from communes.models import AdministrativeUnit, Level, Role
from core.problems import Refusal

STATISTICS_WRITER_ROLES = (Role.COMMUNE_OFFICER, Role.ADMIN)


def statistics_writable_units(user):
    """The communes whose statistics `user` may write."""
    return AdministrativeUnit.objects.changeable_by(user, STATISTICS_WRITER_ROLES).filter(
        level=Level.COMMUNE
    )


def statistics_refusal(user, commune):
    if statistics_writable_units(user).filter(pk=commune.pk).exists():
        return None
    return Refusal(_("Your role may read these statistics but not change them."))
