from django.core.management.base import BaseCommand, CommandError

from library import tasks
from library.models import SlideDeck

Status = SlideDeck.Status


class Command(BaseCommand):
    help = (
        "Prepare uploaded slide decks (text, thumbnail, slide previews) here and now, without the task queue: "
        "those still waiting by default, failed ones too with --failed, every deck with --all "
        "(also rescues decks left 'being processed' by a worker that died)."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--failed", action="store_true", help="Also retry decks whose processing failed.")
        which.add_argument("--all", action="store_true", help="Redo every deck, including ready ones.")

    def say(self, message, level=1, style=None):
        if self.verbosity >= level:
            self.stdout.write(style(message) if style else message)

    def handle(self, *args, failed=False, all=False, verbosity=1, **options):
        self.verbosity = verbosity
        decks = SlideDeck.objects.all()
        if not all:
            decks = decks.filter(status__in=[Status.PENDING, Status.FAILED] if failed else [Status.PENDING])
        todo = list(decks.order_by("pk").values_list("pk", "title"))
        if not todo:
            self.say("Nothing to process.")
            return

        total = len(todo)
        self.say(f"Processing {total} deck(s).")
        counts = {Status.READY: 0, Status.FAILED: 0, None: 0}
        for done, (pk, title) in enumerate(todo, start=1):
            # Back to pending so the run can claim it: redoing a ready deck, or one a dead worker left processing.
            SlideDeck.objects.filter(pk=pk).update(status=Status.PENDING)
            status = tasks.process_now(pk)
            counts[status] += 1
            if status == Status.FAILED:
                error = SlideDeck.objects.filter(pk=pk).values_list("processing_error", flat=True).first()
                self.say(f"  [{done}/{total}] {title}: failed: {error}", style=self.style.ERROR)
            else:
                self.say(f"  [{done}/{total}] {title}: {'ready' if status else 'skipped, taken by another worker'}", level=2)

        self.say(f"{counts[Status.READY]} ready, {counts[Status.FAILED]} failed, {counts[None]} skipped.")
        if counts[Status.FAILED]:
            raise CommandError(
                f"{counts[Status.FAILED]} deck(s) failed; each shows why on its page. Fix or replace the files, "
                "then run again with --failed."
            )
        self.say("Done.", style=self.style.SUCCESS)
