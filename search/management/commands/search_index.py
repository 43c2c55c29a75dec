from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from search.backends import configured_backend_names, get_backend
from search.indexing import apply_changes, pending_counts
from search.models import IndexChange
from search.sources import all_documents

PROGRESS_EVERY = 500


class Command(BaseCommand):
    help = "Rebuild, check or catch up the search indexes (the database one, and Elasticsearch when configured)."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--rebuild", action="store_true", help="Build fresh indexes and swap them in.")
        action.add_argument("--check", action="store_true", help="Report documents missing from or stale in the index.")
        action.add_argument("--replay", action="store_true", help="Apply index changes still waiting in the outbox.")
        parser.add_argument("--backend", choices=["database", "elasticsearch"], help="Only this backend.")

    def handle(self, *args, rebuild, check, replay, backend, verbosity, **options):
        names = [backend] if backend else configured_backend_names()
        if backend and backend not in configured_backend_names():
            raise CommandError(f"The {backend} backend isn't configured (set ELASTICSEARCH_URL).")
        self.verbosity = verbosity
        for name in names:
            if rebuild:
                self.rebuild_index(name)
            elif check:
                self.check_index(name)
            else:
                self.replay_changes(name)

    def documents(self):
        """Every searchable document, with a progress line every few hundred."""
        count = 0
        for document in all_documents():
            count += 1
            if self.verbosity and count % PROGRESS_EVERY == 0:
                self.stdout.write(f"  {count} documents...")
            yield document
        self.indexed = count

    def rebuild_index(self, name):
        self.stdout.write(f"Rebuilding the {name} index")
        started = timezone.now()
        get_backend(name).rebuild(self.documents())
        # The fresh index already holds everything changed before the rebuild began.
        IndexChange.objects.filter(backend=name, created_at__lte=started).delete()
        self.stdout.write(self.style.SUCCESS(f"  {self.indexed} documents indexed; the new index is live."))

    def check_index(self, name):
        indexed = get_backend(name).indexed_fingerprints()
        expected = {document.key: document.fingerprint for document in self.documents()}
        missing = sorted(set(expected) - set(indexed))
        stale = sorted(key for key in set(expected) & set(indexed) if expected[key] != indexed[key])
        extra = sorted(set(indexed) - set(expected))
        waiting = pending_counts().get(name, 0)
        self.stdout.write(f"The {name} index: {len(indexed)} documents, {len(expected)} expected, {waiting} changes waiting")
        for label, keys in (("missing", missing), ("stale", stale), ("should not be there", extra)):
            if keys:
                self.stdout.write(self.style.WARNING(f"  {len(keys)} {label}: {', '.join(keys[:20])}{' ...' if len(keys) > 20 else ''}"))
        if missing or stale or extra:
            raise CommandError("The index is out of step: run `manage.py search_index --rebuild` (or --replay).")
        self.stdout.write(self.style.SUCCESS("  In step."))

    def replay_changes(self, name):
        waiting = pending_counts().get(name, 0)
        if not waiting:
            self.stdout.write(f"No index changes waiting for {name}.")
            return
        applied = apply_changes(name)
        left = pending_counts().get(name, 0)
        self.stdout.write(f"Applied {applied} of {waiting} changes to {name}; {left} still waiting.")
        if left:
            raise CommandError(f"The {name} backend is still unavailable; changes are kept for the next run.")
