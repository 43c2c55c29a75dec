from django.core.management.base import BaseCommand

from communities import demo as community_demo
from library import demo as library_demo
from newsletters import demo as newsletter_demo
from cop_site.site_structure import ensure_site_structure


class Command(BaseCommand):
    help = "Build a believable demo site. Safe to run again: existing content is kept as it is."

    def add_arguments(self, parser):
        parser.add_argument("--hostname", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, hostname, port, **options):
        self.stdout.write("Site structure")
        ensure_site_structure(hostname=hostname, port=port)
        self.stdout.write("Members")
        community_demo.load_people(self.stdout)
        self.stdout.write("Communities")
        community_demo.load_communities(self.stdout)
        self.stdout.write("Memberships")
        community_demo.load_memberships(self.stdout)
        self.stdout.write("Discussions")
        community_demo.load_threads(self.stdout)
        self.stdout.write("Library")
        library_demo.load_decks(self.stdout)
        library_demo.load_case_studies(self.stdout)
        self.stdout.write("Roundups")
        newsletter_demo.load_subscriptions(self.stdout)
        newsletter_demo.load_roundups(self.stdout)
        self.stdout.write(self.style.SUCCESS("\nDemo logins (sign in at /accounts/login/; editors use /admin/):"))
        for email, password, role in community_demo.demo_logins():
            self.stdout.write(f"  {email:<32} {password}   {role}")
