from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from newsletters import sending
from newsletters.models import RoundupPage


class Command(BaseCommand):
    help = (
        "Send a published roundup to its subscribers here and now, with progress; or, with --resume, send what "
        "is due of one already being sent (queued, failed and due for a retry, or left mid-send by a worker "
        "that died). Safe to run twice: nobody is sent a roundup twice. --status shows how the sending stands."
    )

    def add_arguments(self, parser):
        parser.add_argument("roundup", help="The roundup's page id or slug, e.g. 2026-10-contact-centres.")
        parser.add_argument("--resume", action="store_true", help="Send what is due of a roundup already being sent.")
        parser.add_argument("--status", action="store_true",
                            help="Show the deliveries by status and the failures; send nothing.")
        parser.add_argument("--dry-run", action="store_true", help="Say how many would be sent; send and change nothing.")
        parser.add_argument(
            "--claim-timeout", type=float, metavar="SECONDS",
            help="Take over deliveries claimed at least this long ago (default: ROUNDUP_CLAIM_TIMEOUT). Use 0 only "
                 "when no other sender is running, e.g. after a crash.",
        )

    def say(self, message, level=1, style=None):
        if self.verbosity >= level:
            self.stdout.write(style(message) if style else message)

    def handle(self, *args, roundup, resume=False, status=False, dry_run=False, claim_timeout=None, verbosity=1,
               **options):
        self.verbosity = verbosity
        roundup = find_roundup(roundup)
        if status:
            self.report(roundup)
            return
        check_can_send(roundup, resume)
        timeout = timedelta(seconds=claim_timeout) if claim_timeout is not None else None
        if dry_run:
            self.dry_run(roundup, resume, timeout)
            return
        if not resume and not sending.stamp_started(roundup.pk):
            raise CommandError(f"“{roundup.title}” has just started sending elsewhere. Use --status to follow it.")
        queued = sending.queue_deliveries(roundup)
        if queued:
            self.say(f"Queued “{roundup.title}” for {queued} recipient(s).")
        if resume:
            sending.give_up_stuck(roundup)
        outcome = sending.send_due(roundup, timeout, progress=self.progress)
        self.report(roundup)
        if outcome.failed or outcome.gave_up:
            raise CommandError(
                f"{outcome.failed + outcome.gave_up} email(s) could not be sent; failed ones are retried later "
                "(or now with --resume)."
            )
        self.say("Done.", style=self.style.SUCCESS)

    def progress(self, total, batch):
        self.say(f"  {total.sent} sent, {total.skipped} skipped, {total.failed} failed, {total.gave_up} given up")
        for address, error in batch.errors:
            self.say(f"    {address}: {error}", style=self.style.WARNING)

    def dry_run(self, roundup, resume, timeout):
        if resume:
            due = sending.claimable_deliveries(roundup, timeout).count()
            self.say(f"{due} delivery(ies) of “{roundup.title}” are due. Dry run: nothing was sent or changed.")
        else:
            count = sending.recipients(roundup).count()
            self.say(f"“{roundup.title}” would be sent to {count} recipient(s). Dry run: nothing was sent or changed.")

    def report(self, roundup):
        """The ledger: deliveries by status, and the latest failures with their errors."""
        roundup.refresh_from_db(fields=["sending_started_at"])
        ledger = sending.ledger(roundup)
        started = roundup.sending_started_at
        when = f"sending started {timezone.localtime(started):%Y-%m-%d %H:%M}" if started else "not sent yet"
        self.say(f"“{roundup.title}” (id {roundup.pk}): {when}")
        counts = ", ".join(f"{status.replace('_', ' ')} {count}" for status, count in ledger.counts.items())
        self.say(f"  {counts}; {ledger.total} in all")
        if ledger.problems:
            self.say("  Failures:")
        for delivery in ledger.problems:
            retry = (f", next at {timezone.localtime(delivery.next_attempt_at):%Y-%m-%d %H:%M}"
                     if delivery.status == sending.Status.FAILED else "")
            self.say(f"    {delivery.email}: {delivery.get_status_display()} "
                     f"({delivery.attempts} attempt(s){retry}): {delivery.last_error}")


def find_roundup(reference):
    """A roundup by page id or slug."""
    found = RoundupPage.objects.select_related("community")
    found = found.filter(pk=int(reference)) if reference.isdigit() else found.filter(slug=reference)
    matches = list(found[:2])
    if len(matches) != 1:
        raise CommandError(f"No single roundup has the id or slug {reference!r}.")
    return matches[0]


def check_can_send(roundup, resume):
    if resume and roundup.sending_started_at is None:
        raise CommandError(f"“{roundup.title}” has not started sending: publish it, or run without --resume.")
    if not resume and not roundup.live:
        raise CommandError(f"“{roundup.title}” is not published. Only a published roundup is sent (publishing sends it).")
    if not resume and roundup.sending_started_at is not None:
        raise CommandError(
            f"“{roundup.title}” started sending on {timezone.localtime(roundup.sending_started_at):%Y-%m-%d %H:%M}. "
            "Use --resume to send what is due, or --status to see how it stands."
        )
