from django.core.management.base import BaseCommand, CommandError

from communes.models import Role
from communes.services import MembershipError, member_add
from core.commands import day


class Command(BaseCommand):
    help = "Create the user if needed and give them a role on a unit."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--unit", required=True, help="Official unit code")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password", default=None)
        parser.add_argument(
            "--on",
            type=day,
            default=None,
            help="The day the code names the unit (YYYY-MM-DD; default: its latest version).",
        )

    def handle(self, *args, **options):
        try:
            membership, created = member_add(
                username=options["username"],
                unit_code=options["unit"],
                role=options["role"],
                password=options["password"],
                on=options["on"],
            )
        except MembershipError as exc:
            raise CommandError(str(exc)) from exc
        verb = "Added" if created else "Already had"
        self.stdout.write(f"{verb}: {membership}")
