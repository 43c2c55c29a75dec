from django.core.management.base import BaseCommand, CommandError

from communities import tasks



class Command(BaseCommand):
    help = (
        "Send the daily notification digests, and retry notification emails that should have gone out "
        f"immediately but are still unsent after {int(tasks.RETRY_AFTER.total_seconds() // 60)} minutes. "
        "Safe to run twice: each notification is emailed at most once. Run it once a day (e.g. from cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would be sent; send and change nothing.")

    def say(self, message, level=1, style=None):
        if self.verbosity >= level:
            self.stdout.write(style(message) if style else message)

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        self.verbosity = verbosity
        unwanted = tasks.never_wanted()
        unwanted_count = unwanted.count()
        overdue_ids = list(tasks.overdue_immediate().values_list("pk", flat=True))
        digests = tasks.pending_digests()

        if not (unwanted_count or overdue_ids or digests):
            self.say("Nothing to send.")
            return

        prefix = "Would send" if dry_run else "Sending"
        if unwanted_count:
            self.say(f"{unwanted_count} notification(s) for members who want no email: {'would be ' if dry_run else ''}marked as not to be emailed.")
            if not dry_run:
                unwanted.update(email_skipped=True)

        failed = 0
        if overdue_ids:
            self.say(f"{prefix} {len(overdue_ids)} overdue immediate notification email(s).")
            if not dry_run:
                outcome = tasks.retry_overdue(overdue_ids, progress=lambda done, total, sent: self.say(
                    f"  {done}/{total} checked, {sent} sent", level=2))
                failed += outcome.failed
                self.say(f"  {outcome.sent} sent.")

        if digests:
            self.say(f"{prefix} {len(digests)} daily digest(s).")
            if dry_run:
                for recipient, waiting in digests.items():
                    self.say(f"  {recipient.email}: up to {len(waiting)} notification(s)", level=2)
            else:
                outcome = tasks.Outcome()
                total = len(digests)
                for done, (recipient, waiting) in enumerate(digests.items(), start=1):
                    count = tasks.send_digest(recipient, waiting, outcome)
                    if count:
                        self.say(f"  [{done}/{total}] {recipient.email}: {count} notification(s)", level=2)
                failed += outcome.failed
                self.say(f"  {outcome.sent} digest(s) sent.")

        if failed:
            raise CommandError(f"{failed} email(s) could not be sent; they stay unsent and the next run retries them.")
        self.say("Dry run: nothing was sent or changed." if dry_run else "Done.", style=self.style.SUCCESS)
