from django.core.management.base import BaseCommand

from demo.seed import seed_demo


class Command(BaseCommand):
    help = "Load the demo (Kế Sách and Hải Lăng, 2020–2023) and demo users; safe to run again."

    def handle(self, *args, **options):
        seed_demo(log=self.stdout.write)
