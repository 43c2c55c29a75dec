from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from cop_site.benchdata.generator import DEFAULT_SEED, DatabaseNotEmpty, generate
from cop_site.benchdata.people import PASSWORD
from cop_site.benchdata.sizes import PRESETS


class Command(BaseCommand):
    help = (
        "Fill the configured database with seeded benchmark data: members, communities, forum threads and posts, "
        "slide decks (with small real files in the private storage), case studies, roundups and their subscribers. "
        "large is Knowledge Hub's scale (150,000 members, 1,500 communities, 300,000 threads, 1,000,000 posts, "
        "20,000 decks, 3,000 case studies, 36 months of roundups); medium a tenth, small a hundredth. The same size "
        "and seed give the same data. Every generated user's password is "
        f'"{PASSWORD}". cop_site.benchdata.samples.representative() finds a member, a facilitator, staff, '
        "communities of each visibility, a 50-60 post thread, the longest thread, a deck, a case study, a roundup "
        "and the busiest month, for benchmarks to use. A database that already has forum threads is refused "
        "unless --force is given, which adds to what is there; nothing is ever deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=list(PRESETS), required=True,
                            help="large: Knowledge Hub's scale (minutes on PostgreSQL); medium a tenth; small a hundredth.")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=f"The same size and seed give the same data (default {DEFAULT_SEED}).")
        parser.add_argument("--force", action="store_true", help="Add to a database that already has threads.")
        parser.add_argument("--index", action="store_true",
                            help="Rebuild the search indexes afterwards (manage.py search_index --rebuild).")

    def handle(self, *args, size, seed, force, index, verbosity, **options):
        preset = PRESETS[size]
        if force:
            self.stdout.write("--force: adding to the data already in the database.")
        self.stdout.write(f"Generating {size} benchmark data (seed {seed}).")
        self.stderr.ending = ""  # the progress lines end themselves, redrawn in place until done
        try:
            run = generate(preset, seed, force=force, stderr=self.stderr if verbosity else None)
        except DatabaseNotEmpty as refusal:
            raise CommandError(
                f"{refusal} Nothing was written. Use an empty (migrated) database, or --force to add to it."
            ) from None
        self.summary(run)
        if index:
            call_command("search_index", rebuild=True, verbosity=verbosity, stdout=self.stdout, stderr=self.stderr)
        else:
            self.stdout.write("Now build the search indexes: manage.py search_index --rebuild")

    def summary(self, run):
        self.stdout.write("\nTime per phase:")
        for phase, seconds in run.timings:
            self.stdout.write(f"  {phase:<20} {seconds:8.1f} s")
        self.stdout.write(f"  {'total':<20} {run.seconds:8.1f} s")
        self.stdout.write("Rows written:")
        for name, count in run.counts.items():
            self.stdout.write(f"  {name:<24} {count:>10,}")
        self.stdout.write(self.style.SUCCESS(f'Done. Every generated user\'s password is "{PASSWORD}".'))
