from django.core.management.base import BaseCommand

from scoring.rounds.notifications import REMIND_DAYS, deadline_reminders


class Command(BaseCommand):
    help = (
        f"Remind the officers of every unit whose self-assessment is due in {REMIND_DAYS} days "
        "and not submitted (the worker's beat does this hourly; each reminder is sent once)."
    )

    def handle(self, *args, **options):
        sent = deadline_reminders()
        self.stdout.write(f"{sent} reminder(s) sent.")
