import time

from django.core.management.base import BaseCommand, CommandError

from cop_site.periodic import run_due


class Command(BaseCommand):
    help = (
        "Run the platform's clocked jobs: scheduled publishing, search outbox replay, roundup delivery retries "
        "every tick, and the notification digest once a day. Loops until stopped; --once runs the every-tick jobs "
        "a single time (for cron, every minute; schedule send_notification_digests separately)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run the every-tick jobs once and exit.")
        parser.add_argument("--interval", type=int, default=60, help="Seconds between ticks (default 60).")

    def handle(self, *args, once, interval, **options):
        if once:
            failed = run_due({}, include_daily=False)
            if failed:
                raise CommandError(f"Failed: {', '.join(failed)} (see the log; they run again next time).")
            return
        last_runs = {}
        self.stdout.write(f"Running periodic jobs every {interval} s. Press Ctrl-C to stop.")
        while True:
            for name in run_due(last_runs):
                self.stderr.write(f"{name} failed; it runs again on the next tick.")
            time.sleep(interval)
