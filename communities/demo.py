"""Demo members and communities for `manage.py load_demo`. Invented people; the themes come from practice."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from .models import CommunityIndexPage, CommunityPage, Profile

DEMO_PASSWORD = "practice-exchange-demo"

PEOPLE = [
    {
        "username": "admin",
        "email": "admin@example.org",
        "display_name": "Site Administrator",
        "organisation": "Practice Exchange",
        "job_title": "Platform editor",
        "bio": "Looks after the site's pages, case-study workflow and settings.",
        "superuser": True,
    },
    {
        "username": "priya",
        "email": "priya.natarajan@example.org",
        "display_name": "Priya Natarajan",
        "organisation": "Northfield Borough Council",
        "job_title": "Head of Policy and Performance",
        "bio": (
            "I facilitate the **Policy and Performance** community. Twelve years in local government "
            "performance teams, from Best Value reviews to the National Indicator Set.\n\n"
            "Interested in:\n\n- performance frameworks that managers actually use\n"
            "- making the data tell a story to members\n- benchmarking with our nearest neighbours"
        ),
    },
    {
        "username": "tom",
        "email": "tom.ellery@example.org",
        "display_name": "Tom Ellery",
        "organisation": "Westmarsh District Council",
        "job_title": "Customer Service Centre Manager",
        "bio": (
            "Run a 60-seat contact centre handling council tax, waste and housing calls. "
            "Currently working on first-contact resolution and cutting **avoidable contact** (NI14)."
        ),
    },
    {
        "username": "gwen",
        "email": "gwen.pritchard@example.org",
        "display_name": "Gwen Pritchard",
        "organisation": "Carreg County Council",
        "job_title": "Scrutiny Officer",
        "bio": "Support three overview and scrutiny committees. Happy to share scoping templates.",
    },
    {
        "username": "sam",
        "email": "sam.okafor@example.org",
        "display_name": "Sam Okafor",
        "organisation": "Eastbridge City Council",
        "job_title": "Customer Insight Analyst",
        "bio": "Channel shift, customer segmentation and the occasional heated argument about cost-per-contact figures.",
    },
    {
        "username": "dana",
        "email": "dana.whitlock@example.org",
        "display_name": "Dana Whitlock",
        "organisation": "Harbourside Unitary Authority",
        "job_title": "Performance Improvement Officer",
        "bio": "Quarterly performance reports, intervention plans and a lot of spreadsheets.",
    },
]

COMMUNITIES = [
    {
        "slug": "policy-and-performance",
        "title": "Policy and Performance",
        "summary": "Performance frameworks, indicators and reporting that help councils improve, not just count.",
        "description": (
            "<p>For officers who run corporate performance management: building frameworks, choosing "
            "indicators, reporting to members and turning quarterly data into action.</p>"
            "<p>Each month the facilitator rounds up the most useful contributions for the newsletter.</p>"
        ),
    },
    {
        "slug": "contact-centres-and-customer-service",
        "title": "Contact Centres and Customer Service",
        "summary": "Running council contact centres: call handling, resolution at first contact, web chat and avoidable contact.",
        "description": (
            "<p>Good call-handling statistics mean little if the back office cannot resolve what the caller needs. "
            "Share how you measure and improve the whole customer journey, across phone, web, chat and face to face.</p>"
        ),
    },
    {
        "slug": "scrutiny-and-accountability",
        "title": "Scrutiny and Accountability",
        "summary": "Overview and scrutiny officers and members sharing reviews, questions that work and ways to follow up.",
        "description": (
            "<p>How committees scrutinise service performance and transformation programmes: scoping reviews, "
            "briefing notes, questioning directors, and tracking recommendations.</p>"
        ),
    },
    {
        "slug": "customer-insight-and-channel-strategy",
        "title": "Customer Insight and Channel Strategy",
        "summary": "Knowing what residents need and shaping channels around it: insight, Total Place and channel shift.",
        "description": (
            "<p>From segmentation and surveys to cost-per-contact debates and digital take-up: what insight tells us "
            "about the services people want, and how to act on it across public services.</p>"
        ),
    },
]


@transaction.atomic
def load_people(stdout):
    User = get_user_model()
    for person in PEOPLE:
        user, created = User.objects.get_or_create(
            username=person["username"],
            defaults={"email": person["email"], "is_staff": person.get("superuser", False),
                      "is_superuser": person.get("superuser", False)},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            EmailAddress.objects.create(user=user, email=person["email"], verified=True, primary=True)
            Profile.objects.update_or_create(
                user=user,
                defaults={key: person[key] for key in ("display_name", "organisation", "job_title", "bio")},
            )
        stdout.write(f"  {'created' if created else 'kept'} member {person['email']}")


@transaction.atomic
def load_communities(stdout):
    index = CommunityIndexPage.objects.get()
    for data in COMMUNITIES:
        if CommunityPage.objects.filter(slug=data["slug"]).exists():
            stdout.write(f"  kept community {data['title']}")
            continue
        index.add_child(instance=CommunityPage(**data))
        stdout.write(f"  created community {data['title']}")


def demo_logins():
    return [(person["email"], DEMO_PASSWORD, person["job_title"]) for person in PEOPLE]
