from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.dateformat import format as format_date

from communities.models import CommunityPage
from newsletters.figures import key_figures
from newsletters.blocks import Section
from newsletters.compile import CompileError, compile_roundup, current_month, parse_month


class Command(BaseCommand):
    help = (
        "Compile the draft roundup of a community (--community SLUG) or of the whole site (--site) for a month, "
        "or add what is new to the draft compiled before: the intro and any edits stay as they are. "
        "A roundup that has been sent is never compiled again."
    )

    def add_arguments(self, parser):
        stream = parser.add_mutually_exclusive_group(required=True)
        stream.add_argument("--community", metavar="SLUG", help="The community's slug, e.g. contact-centres.")
        stream.add_argument("--site", action="store_true", help="The site-wide roundup.")
        parser.add_argument("--month", metavar="YYYY-MM", help="The month to compile (default: the current month).")

    def say(self, message, level=1, style=None):
        if self.verbosity >= level:
            self.stdout.write(style(message) if style else message)

    def handle(self, *args, community=None, site=False, month=None, verbosity=1, **options):
        self.verbosity = verbosity
        month = self.parse_month(month)
        community = None if site else find_community(community)
        stream = community.title if community is not None else "the whole site"
        self.say(f"Compiling the {format_date(month, 'F Y')} roundup of {stream}…", level=2)
        try:
            result = compile_roundup(community, month)
        except CompileError as error:
            raise CommandError(str(error)) from error
        self.report(result, month)

    def parse_month(self, text):
        if not text:
            return current_month()
        try:
            month = parse_month(text)
        except CompileError as error:
            raise CommandError(str(error)) from error
        if month > current_month():
            raise CommandError(f"{format_date(month, 'F Y')} hasn't started yet: compile this month or an earlier one.")
        return month

    def report(self, result, month):
        roundup = result.roundup
        verb = "Created the draft" if result.created else "Updated the draft"
        self.say(f"{verb} “{roundup.title}” (page {roundup.pk}).", style=self.style.SUCCESS)
        count = len(result.added)
        if count:
            kept = "" if result.created else "; the intro and edits are unchanged"
            self.say(f"Added {count} item{'s' * (count != 1)}{kept}:")
        else:
            self.say("Nothing new to add since the last compile.")
        by_section = Counter(candidate.section for candidate in result.added)
        for section in Section.ORDER:
            if by_section[section]:
                self.say(f"  {Section.HEADINGS[section]}: {by_section[section]}")
                for candidate in result.added:
                    if candidate.section == section:
                        self.say(f"    - {candidate.obj.title}", level=2)
        self.say(f"Key figures for {format_date(month, 'F Y')}:")
        for figure in key_figures(roundup.figures):
            change = f"  ({figure.change})" if figure.change else ""
            self.say(f"  {figure.label}: {figure.value}{change}")
        edit_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("wagtailadmin_pages:edit", args=[roundup.pk])
        self.say(f"Edit it, then publish to send it: {edit_url}")


def find_community(slug):
    community = CommunityPage.objects.filter(slug=slug).first()
    if community is None:
        known = ", ".join(CommunityPage.objects.order_by("slug").values_list("slug", flat=True)[:20]) or "none yet"
        raise CommandError(f"No community has the slug “{slug}”. Communities: {known}.")
    return community
