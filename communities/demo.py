"""Demo members and communities for `manage.py load_demo`. Invented people; the themes come from practice."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import override_settings

from . import services
from .models import CommunityIndexPage, CommunityPage, Membership, Profile, Thread

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
        "visibility": "members",
        "join_policy": "approval",
        "summary": "Overview and scrutiny officers and members sharing reviews, questions that work and ways to follow up.",
        "description": (
            "<p>How committees scrutinise service performance and transformation programmes: scoping reviews, "
            "briefing notes, questioning directors, and tracking recommendations.</p>"
        ),
    },
    {
        "slug": "customer-insight-and-channel-strategy",
        "title": "Customer Insight and Channel Strategy",
        "join_policy": "approval",
        "summary": "Knowing what residents need and shaping channels around it: insight, Total Place and channel shift.",
        "description": (
            "<p>From segmentation and surveys to cost-per-contact debates and digital take-up: what insight tells us "
            "about the services people want, and how to act on it across public services.</p>"
        ),
    },
    {
        "slug": "performance-leads-network",
        "title": "Performance Leads Network",
        "visibility": "private",
        "summary": "A closed group for heads of performance to compare notes on intervention plans and difficult quarters.",
        "description": "<p>Candid discussion between performance leads. Membership is by invitation from the facilitator.</p>",
    },
]

# (username, community slug, role)
MEMBERSHIPS = [
    ("priya", "policy-and-performance", "facilitator"),
    ("dana", "policy-and-performance", "member"),
    ("sam", "policy-and-performance", "member"),
    ("tom", "policy-and-performance", "member"),
    ("tom", "contact-centres-and-customer-service", "facilitator"),
    ("sam", "contact-centres-and-customer-service", "member"),
    ("dana", "contact-centres-and-customer-service", "member"),
    ("priya", "contact-centres-and-customer-service", "member"),
    ("gwen", "scrutiny-and-accountability", "facilitator"),
    ("tom", "scrutiny-and-accountability", "member"),
    ("priya", "scrutiny-and-accountability", "member"),
    ("sam", "customer-insight-and-channel-strategy", "facilitator"),
    ("tom", "customer-insight-and-channel-strategy", "member"),
    ("dana", "performance-leads-network", "facilitator"),
    ("priya", "performance-leads-network", "member"),
]

# Each thread: community, author, title, opening post, then replies as (author, text).
THREADS = [
    {
        "community": "contact-centres-and-customer-service",
        "author": "tom",
        "title": "Great call-handling figures, poor resolution: how do you measure first-contact resolution?",
        "body": (
            "Our dashboard looks healthy: 92% of calls answered, average wait under a minute. "
            "But when we sampled callers a week later, a third had rung back about the same thing.\n\n"
            "The problem sits in the back office: the call is answered, logged and passed on, and nothing happens. "
            "How are others measuring **resolution at first contact** rather than speed of answer?"
        ),
        "replies": [
            ("sam", "We stopped reporting answer rates on their own. Every month we take 200 calls and follow each one "
                    "through to the outcome. It is slow, but it changed the conversation with service heads."),
            ("dana", "Same experience here. We pair the contact centre figure with the service's own *time to resolve*:\n\n"
                     "| Measure | Q1 | Q2 |\n| --- | --- | --- |\n| Calls answered | 91% | 93% |\n"
                     "| Resolved at first contact | 58% | 64% |\n| Repeat calls within 7 days | 22% | 17% |"),
            ("priya", "The repeat-call measure is the one members on scrutiny understood straight away. "
                      "Worth sharing your sampling method in the library, @dana?"),
        ],
    },
    {
        "community": "contact-centres-and-customer-service",
        "author": "priya",
        "title": "Listening to recorded calls as a leadership habit",
        "body": (
            "At a conference last autumn a chief executive said he listens to a random handful of recorded customer "
            "calls on his drive home. It keeps him close to what residents actually ring about, and to how they are treated.\n\n"
            "Does anyone's senior team do something similar? Any pitfalls with data protection?"
        ),
        "replies": [
            ("tom", "Our directors sit with advisers for an hour a quarter. Recorded calls are fine under our retention "
                    "policy as long as they are played on council devices."),
        ],
    },
    {
        "community": "policy-and-performance",
        "author": "dana",
        "title": "NI14 avoidable contact: a sampling approach that survived audit",
        "body": (
            "Sharing how we measured **avoidable contact** for NI14 before the indicator was dropped, because the "
            "method is still useful:\n\n1. Sample two weeks of contacts across phone, web and face to face.\n"
            "2. Classify each as *value* or *avoidable* (progress chasing, repeat, wrong department, unclear letter).\n"
            "3. Feed the top causes back to the services that generate them.\n\n"
            "The third step is the one that matters. The number on its own changed nothing."
        ),
        "replies": [
            ("priya", "Agree about step three. We published the top five causes every quarter with a named owner for each."),
            ("sam", "Unclear letters were our biggest single cause. Rewriting the council tax reminder cut calls noticeably."),
        ],
    },
    {
        "community": "policy-and-performance",
        "author": "priya",
        "title": "Ten minutes to talk to call-centre managers about performance: what would you say?",
        "body": (
            "I have a short slot at a contact-centre managers' event, followed by a panel. "
            "My instinct is to argue that contact centres are a council's best source of insight into what is failing "
            "elsewhere, and that their data should reach the performance framework. Too narrow?"
        ),
        "replies": [
            ("tom", "Not too narrow at all. Most of us feel our data goes nowhere. Tell them how to get it into the corporate report."),
        ],
    },
    {
        "community": "customer-insight-and-channel-strategy",
        "author": "sam",
        "title": "Cost per contact: which figures do you use, and should we use any?",
        "body": (
            "One recent report quotes £1.34 for a telephone contact; another national survey says £3.21. "
            "Web contacts vary just as much. With variations that large across services, I am inclined to stop quoting "
            "them at all and use our own activity costing.\n\n"
            "Also worth remembering: two out of three visits to council websites are just to find information, so "
            "channel shift is as much about clear content as about online forms."
        ),
        "replies": [
            ("tom", "We costed our own. It took a month with finance, but now nobody argues with the numbers."),
        ],
    },
    {
        "community": "scrutiny-and-accountability",
        "author": "gwen",
        "title": "Scrutinising a contact centre transformation programme: questions that worked",
        "body": (
            "Our committee reviewed the customer service centre's plans last month. Questions that produced useful answers:\n\n"
            "- What is the difference between continuous improvement and transformation here, in scale and in money?\n"
            "- Since web chat and social media were added, how are those contacts resolved, not just answered?\n"
            "- How will residents without digital access be served as channels change?\n"
            "- How is staff morale kept up through the change?\n\n"
            "Members also asked that complaints be centralised so patterns across directorates can be seen."
        ),
        "replies": [
            ("priya", "The digital access question is the one we forgot. Stealing this list, thank you."),
            ("tom", "From the other side of the table: the transformation question helped us. It forced a clear plan."),
        ],
    },
    {
        "community": "performance-leads-network",
        "author": "dana",
        "title": "Intervention plans for services below target: how much detail do you ask for?",
        "body": (
            "When a service misses target two quarters running we ask for an intervention plan: the intervention, "
            "by when, by whom, resource implications, main risk, contingency, how it will be monitored and the expected outcome.\n\n"
            "Services find it heavy. Has anyone found a lighter format that still holds people to account?"
        ),
        "replies": [
            ("priya", "We keep all eight columns but cap it at five interventions. Quick wins first, then the structural ones."),
        ],
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
                defaults={
                    **{key: person[key] for key in ("display_name", "organisation", "job_title", "bio")},
                    "email_frequency": Profile.EmailFrequency.DAILY,
                },
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


@transaction.atomic
def load_memberships(stdout):
    User = get_user_model()
    for username, slug, role in MEMBERSHIPS:
        community = CommunityPage.objects.get(slug=slug)
        _, created = Membership.objects.get_or_create(
            user=User.objects.get(username=username), community=community, defaults={"role": role}
        )
        if created:
            services.refresh_member_count(community)
            stdout.write(f"  {username} joined {community.title} as {role}")


@override_settings(FORUM_POSTS_PER_MINUTE=10**6)
def load_threads(stdout):
    User = get_user_model()
    people = {user.username: user for user in User.objects.filter(username__in=[p["username"] for p in PEOPLE])}
    for data in THREADS:
        community = CommunityPage.objects.get(slug=data["community"])
        if Thread.objects.filter(community=community, title=data["title"]).exists():
            continue
        with transaction.atomic():
            thread = services.start_thread(people[data["author"]], community, data["title"], data["body"])
            for author, text in data["replies"]:
                services.reply(people[author], thread, text)
        replies = len(data["replies"])
        stdout.write(f"  started “{data['title']}” with {replies} repl{'y' if replies == 1 else 'ies'}")


def demo_logins():
    """(email, password, who they are) for each demo person, naming the communities they facilitate."""
    titles = {community["slug"]: community["title"] for community in COMMUNITIES}
    logins = []
    for person in PEOPLE:
        facilitates = [titles[slug] for username, slug, role in MEMBERSHIPS if username == person["username"] and role == "facilitator"]
        role = f"facilitator of {', '.join(facilitates)}" if facilitates else person["job_title"]
        logins.append((person["email"], DEMO_PASSWORD, role))
    return logins
