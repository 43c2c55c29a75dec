"""Demo case studies for `manage.py load_demo`. Invented councils and roles; the themes come from practice."""

import io
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from pptx import Presentation
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from communities.models import CommunityPage, Thread

from .models import CaseStudyPage, LibraryIndexPage, SlideDeck, Topic
from .tasks import process_now


def intervention(intervention, by_when, by_whom, resources, risk, contingency, monitoring, outcome):
    return ("intervention", {
        "intervention": intervention, "by_when": by_when, "by_whom": by_whom, "resource_implications": resources,
        "main_risk": risk, "contingency": contingency, "monitoring": monitoring, "expected_outcome": outcome,
    })


def outcome(metric, before, after, unit="", period=""):
    return ("outcome", {"metric": metric, "before": Decimal(before), "after": Decimal(after), "unit": unit, "period": period})


CASE_STUDIES = [
    {
        "slug": "intervention-plan-turns-round-a-district-contact-centre",
        "title": "An intervention plan that turned round a district council's contact centre",
        "owner": "tom",
        "days_ago": 40,
        "organisation": "Ashcombe District Council",
        "organisation_type": CaseStudyPage.OrganisationType.DISTRICT,
        "region": CaseStudyPage.Region.SOUTH_WEST,
        "topics": ["contact-centres", "performance-management", "digital-transformation"],
        "community": "contact-centres-and-customer-service",
        "threads": [
            "Great call-handling figures, poor resolution: how do you measure first-contact resolution?",
            "Intervention plans for services below target: how much detail do you ask for?",
        ],
        "summary": (
            "Customer service had missed its targets for years: long queues, services changing their processes "
            "without warning and a digital programme that had lost its way. A new management team wrote a "
            "five-point intervention plan, starting with quick wins. A year later most callers were answered "
            "within a minute and far more were sorted out on the first call."
        ),
        "challenge": (
            "<p>The first-quarter figures looked like every first quarter for the previous four years: fewer than half "
            "of calls answered within a minute and nearly one in five callers giving up. There had been no dedicated "
            "corporate lead for customer service for some time, and the council's attitude to it had been variable. "
            "Nobody expected a quick fix: becoming an organisation that puts residents first would take cultural and "
            "organisational change.</p>"
            "<p>The new head of customer service spent the first weeks on the floor with the advisers and found three "
            "immediate barriers. <b>Resourcing</b>: every adviser took every type of call, so temporary staff could not "
            "be used until fully trained. <b>Relationships</b>: service areas changed policies, launched campaigns or "
            "sent letters with little or no notice, and the contact centre found out when the phones lit up. "
            "<b>Engagement</b>: advisers felt blamed for problems made elsewhere.</p>"
            "<p>The digital programme had its own problems. Plenty of transactions were online, but the journeys were "
            "hard to finish, so residents rang anyway. Programme controls and project management were weak.</p>"
        ),
        "approach": (
            "<p>The customer service management team treated the problem the way the council treats any service below "
            "target: an intervention plan in the corporate format, with an owner, a date, the resource implications, "
            "the biggest risk and its contingency, how progress would be monitored and the outcome expected.</p>"
            "<p>The team started with thirteen quick wins to show residents and staff that things could change, then "
            "turned to the causes: how change reaches the contact centre, how services and the centre work together, "
            "and how calls are routed. The corporate leadership team agreed that the head of customer service would "
            "run the digital programme for the time being, to put controls back in place.</p>"
            "<p>Progress was reported monthly to the portfolio holder and quarterly to the scrutiny committee, which "
            "asked for first-contact resolution to be reported next to speed of answer.</p>"
        ),
        "interventions": [
            intervention(
                "Deliver thirteen quick wins: a shorter phone menu, a call-back offer in long queues, updated scripts "
                "for the ten most common calls and clearer messages on the website.",
                "Started in July; all delivered by the end of September", "Customer service management team",
                "Management time, and a few days of the telephony supplier's time.",
                "Managers pulled back on to the phones at peak times; supplier availability.",
                "Tracked at the weekly management meeting: anything that slips is re-planned, not dropped.",
                "Weekly tracker reviewed by the management team.",
                "A visible improvement in waiting times within the quarter.",
            ),
            intervention(
                "Introduce a request-for-change process: services give notice of new policies, campaigns and letters "
                "on a one-page form, and agree a start date with the contact centre.",
                "In use from August", "Customer service management team with heads of service",
                "A short weekly review of requests.",
                "Services bypass the process for urgent campaigns.",
                "Urgent changes allowed with two working days' notice; repeated bypassing goes to the leadership team.",
                "Log of requests and the notice given, reported monthly.",
                "No more same-day surprises: scripts and staffing ready before the letters land.",
            ),
            intervention(
                "Manage the biggest client services as accounts (waste, licensing, planning, building control, council "
                "tax) with regular meetings and service level agreements.",
                "First meetings by October; agreements signed by March", "Team leaders as account managers",
                "Team leader time, and service managers' time for the meetings.",
                "Services see the agreements as a way of assigning blame.",
                "Start each account with shared data on why residents call, not with targets.",
                "Monthly account meetings and a service level dashboard.",
                "Clear ownership of what gets resolved where; fewer calls passed back and forth.",
            ),
            intervention(
                "Switch on skills-based routing so each call type goes to advisers trained for it: new and temporary "
                "advisers start on switchboard and waste calls only.",
                "Configured in November; live in December", "Telephony supplier and customer service management team",
                "Supplier days and a short training session per team.",
                "Routing errors at go-live.",
                "Go live on two queues first, with a tested way back to the old routing.",
                "Daily queue statistics for the first month, then weekly.",
                "Temporary staff useful from their first week, so peaks can be covered.",
            ),
            intervention(
                "Re-plan the digital programme with proper governance, project management and gateway reviews, and fix "
                "the online journeys that most often end in a phone call.",
                "Re-planned by October; ongoing", "Head of customer service as interim programme lead",
                "A significant call on the head of service's time.",
                "Skills gap in programme and project management.",
                "A project office set up; the digital team coached; the supplier held to a weekly call.",
                "Fortnightly programme board with gateway reviews.",
                "A sequenced plan, better releases and online forms people actually finish.",
            ),
        ],
        "outcomes": [
            outcome("Calls answered within 60 seconds", "47", "81", "%", "Q1 to Q1 the following year"),
            outcome("Calls abandoned", "18.5", "6", "%", "Q1 to Q1 the following year"),
            outcome("Enquiries resolved at first contact", "61", "77", "%", "Sampled in June and the following June"),
            outcome("Average speed of answer", "305", "52", "seconds", "Q1 to Q1 the following year"),
        ],
        "lessons": (
            "<ul><li>Quick wins bought the credibility to tackle the harder causes. Pick ones residents will notice.</li>"
            "<li>Treat service areas as clients: most of the contact centre's problems start in someone else's process.</li>"
            "<li>Skills-based routing is what makes temporary staff worth having at peak times.</li>"
            "<li>Report first-contact resolution next to speed of answer, or the plan will chase the wrong number.</li>"
            "<li>A digital programme without controls creates phone calls. Fix the journeys people abandon first.</li></ul>"
        ),
    },
    {
        "slug": "scrutiny-of-a-county-contact-centre-transformation",
        "title": "What scrutiny asked about a county contact centre's transformation, and what changed",
        "owner": "gwen",
        "days_ago": 120,
        "organisation": "Wealdshire County Council",
        "organisation_type": CaseStudyPage.OrganisationType.COUNTY,
        "region": CaseStudyPage.Region.SOUTH_EAST,
        "topics": ["scrutiny", "contact-centres", "digital-transformation", "complaints"],
        "community": "scrutiny-and-accountability",
        "threads": ["Scrutinising a contact centre transformation programme: questions that worked"],
        "summary": (
            "A county scrutiny committee reviewed its customer service centre a year after a new phone platform "
            "brought web chat and social media. Members asked about resolution in every channel, residents without "
            "internet access, staff morale, work with district councils and a single complaints service. The "
            "answers shaped a channel-choice commitment, a central complaints team and better reporting."
        ),
        "challenge": (
            "<p>The customer service centre answers enquiries for most of the county council's directorates. A new "
            "telephone platform, installed the previous summer, made it possible to add web chat and social media. "
            "Advisers were becoming confident in all three channels, and a programme to improve the council's website "
            "was under way.</p>"
            "<p>The scrutiny committee wanted to know whether this added up to transformation or just more channels for "
            "the same staff. Members were concerned about four things: residents without digital access being left "
            "behind; whether enquiries were resolved or simply answered faster; complaints being handled separately in "
            "each directorate, so nobody saw the patterns; and the morale of a large team going through change.</p>"
        ),
        "approach": (
            "<p>The committee asked for a briefing note on the centre's delivery model and invited the director "
            "responsible to present it. Its first question set the frame: what is the difference between continuous "
            "improvement and transformation here? The answer (scale: business-as-usual improvement inside the centre, "
            "against larger programmes run jointly with other services) let members scrutinise each separately.</p>"
            "<p>Members then took each concern in turn, asking for evidence rather than assurance: resolution by channel, "
            "what the offer is for people who cannot or will not go online, which directorates still refuse to let the "
            "centre handle their enquiries and why, how staff are kept informed and involved, and what happens when a "
            "resident rings about a district council matter.</p>"
            "<p>The committee made no formal recommendations to Cabinet. Instead it agreed with the director what it "
            "would see at its next review, and the Cabinet Member confirmed the plan to centralise complaints.</p>"
        ),
        "interventions": [
            intervention(
                "Offer web chat and social media from the new platform, with advisers trained across all channels.",
                "Within six months of the new phone system", "Customer service centre managers",
                "Training time; no new posts.",
                "Chat queues pull advisers off the phones at peak times.",
                "Chat opening hours adjusted day by day to phone demand.",
                "Contacts and resolution by channel, reported monthly.",
                "Quicker help for residents who prefer to type, without losing phone performance.",
            ),
            intervention(
                "Commit to channel choice: phone, face to face and assisted digital stay available, so residents choose "
                "how to contact the council.",
                "Agreed in the spring", "Director for customers, with the library service",
                "Assisted digital sessions in libraries from existing budgets.",
                "Savings pressure reopens the question of face-to-face services.",
                "An equality impact assessment before any change to a channel.",
                "Annual residents' survey, analysed by age and disability.",
                "Nobody is forced online to get a service.",
            ),
            intervention(
                "Centralise complaints: one team logs, tracks and analyses every complaint; directorates still write "
                "the responses.",
                "During the following financial year", "Head of customer service with directorate complaints leads",
                "Complaints officer posts brought together; a single case system.",
                "Directorates reluctant to give up control of their complaints.",
                "Directorates keep answering complaints; only recording and analysis move to the centre.",
                "Quarterly report of complaint themes to the scrutiny committee.",
                "Patterns across directorates seen and acted on.",
            ),
            intervention(
                "Keep staff engaged through the change: advisers test new systems before go-live, change champions, a "
                "staff-run forum and clear progression grades and secondments.",
                "Ongoing", "Centre managers and staff champions",
                "Some time off the phones for testing and the forum.",
                "Skilled advisers leave for other council jobs.",
                "Career grades within the centre and roles in a continuous improvement team.",
                "Staff survey, turnover and sickness absence, quarterly.",
                "Morale held up through the change and experience kept in the team.",
            ),
        ],
        "outcomes": [
            outcome("Contacts by web chat and social media", "0", "14", "%", "Year before and year after the new platform"),
            outcome("Enquiries resolved at first contact, all channels", "66", "74", "%", "Annual sample"),
            outcome("Directorates recording complaints centrally", "2", "7", "directorates", "Over the financial year"),
            outcome("Adviser turnover", "24", "15", "%", "Rolling twelve months"),
        ],
        "lessons": (
            "<ul><li>Ask early whether you are looking at continuous improvement or transformation: they need different "
            "questions.</li>"
            "<li>New channels are not the goal. Ask how enquiries are resolved in each one.</li>"
            "<li>Digital inclusion is easy to forget in a channel-shift review. Put the question on the list.</li>"
            "<li>Members preferred 'residents' to 'customers' when talking about complaints: language matters in a "
            "public service.</li>"
            "<li>Centralising the recording of complaints, not the replies, won over reluctant directorates.</li></ul>"
        ),
    },
]


@transaction.atomic
def load_case_studies(stdout):
    """Create the demo case studies that are missing, published; existing ones are left as editors made them."""
    library = LibraryIndexPage.objects.get()
    people = {user.username: user for user in get_user_model().objects.filter(username__in=[c["owner"] for c in CASE_STUDIES])}
    for data in CASE_STUDIES:
        data = dict(data)
        if CaseStudyPage.objects.filter(slug=data["slug"]).exists():
            stdout.write(f"  kept case study {data['title']}")
            continue
        topics = list(Topic.objects.filter(slug__in=data.pop("topics")))
        threads = list(Thread.objects.filter(title__in=data.pop("threads")))
        community = CommunityPage.objects.filter(slug=data.pop("community")).first()
        owner = people.get(data.pop("owner"))
        published_at = timezone.now() - timedelta(days=data.pop("days_ago"))
        page = CaseStudyPage(**data, community=community, owner=owner, first_published_at=published_at)
        page.topics = topics
        page.related_threads = threads
        library.add_child(instance=page)
        page.save_revision(user=owner).publish(user=owner, skip_permission_checks=True)
        stdout.write(f"  created case study {page.title}")


# Slide decks: (community slug or None for the public library, uploader, title, event, date, topics, kind, slides)
# Each slide is (heading, bullet points). Files are generated on the fly, so the demo needs no binary fixtures.
DECKS = [
    ("contact-centres-and-customer-service", "tom", "Resolution, not just response: measuring first-contact resolution",
     "Contact Centre Managers' Forum", "2025-10-14", ["contact-centres", "performance-management"], "pdf", [
         ("Resolution, not just response", ["Measuring first-contact resolution in a council contact centre"]),
         ("Where we started", ["92% of calls answered", "Average wait under a minute", "A third of callers rang back within a week"]),
         ("Following calls to the outcome", ["200 calls sampled a month", "Each traced through the back office", "Outcome agreed with the service"]),
         ("What changed", ["Repeat calls down from 22% to 17%", "Service heads own their resolution rate", "Scrutiny members ask about repeats, not waits"]),
     ]),
    ("policy-and-performance", "dana", "Avoidable contact (NI14): a sampling method that survived audit",
     "Regional performance officers' network", "2024-03-06", ["national-indicators", "performance-management"], "pdf", [
         ("Avoidable contact (NI14)", ["A sampling method that survived audit"]),
         ("Sampling", ["Two weeks of contacts", "Phone, web and face to face", "Every contact classified"]),
         ("Classifying", ["Value or avoidable", "Progress chasing, repeats, wrong department, unclear letters"]),
         ("Feeding back", ["Top five causes each quarter", "A named owner for each cause", "The number alone changes nothing"]),
     ]),
    ("scrutiny-and-accountability", "gwen", "Questions for scrutinising a customer service transformation",
     "Scrutiny officers' workshop", "2025-06-19", ["scrutiny", "digital-transformation"], "pdf", [
         ("Scrutinising a transformation programme", ["Questions that produced useful answers"]),
         ("Scale", ["Continuous improvement or transformation?", "What is the difference in scale and money?"]),
         ("Channels", ["How are web chat and social media contacts resolved?", "Who is left behind without digital access?"]),
         ("People", ["How is staff morale kept up through the change?", "What do complaints tell us across directorates?"]),
     ]),
    ("customer-insight-and-channel-strategy", "sam", "Channel costs and the information-seeking web visit",
     "Customer insight masterclass", "2025-02-11", ["channel-strategy", "customer-insight"], "pptx", [
         ("Channel costs and the information-seeking web visit", ["Why we stopped quoting national cost-per-contact figures"]),
         ("Two figures for one phone call", ["£1.34 in one report", "£3.21 in another survey", "Variation across services is larger still"]),
         ("What web visits are for", ["Two in three visits are to find information", "Clear content prevents calls"]),
     ]),
    (None, "priya", "Performance frameworks that managers actually use",
     "Local government performance conference", "2025-11-20", ["performance-management", "benchmarking"], "pdf", [
         ("Performance frameworks that managers use", ["Fewer measures, owned by the people who can change them"]),
         ("Tell the story", ["Trend, target and comparison on one page", "A sentence on why it moved"]),
         ("Benchmark with care", ["Nearest neighbours, not league tables", "Compare methods before numbers"]),
     ]),
]


def pdf_bytes(title, slides):
    """A landscape PDF with one page per slide, drawn with reportlab."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=landscape(A4))
    pdf.setTitle(title)
    width, height = landscape(A4)
    for heading, points in slides:
        pdf.setFillColorRGB(0.11, 0.31, 0.57)
        pdf.rect(0, height - 110, width, 110, stroke=0, fill=1)
        pdf.setFillColorRGB(1, 1, 1)
        pdf.setFont("Helvetica-Bold", 30)
        pdf.drawString(50, height - 70, heading)
        pdf.setFillColorRGB(0.1, 0.1, 0.1)
        pdf.setFont("Helvetica", 22)
        for line, point in enumerate(points):
            pdf.drawString(70, height - 180 - line * 48, f"• {point}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def pptx_bytes(title, slides):
    """A PowerPoint file with a title slide and bullet slides, made with python-pptx."""
    presentation = Presentation()
    presentation.core_properties.title = title
    for heading, points in slides:
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = heading
        slide.placeholders[1].text = "\n".join(points)
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def load_decks(stdout):
    """Share each demo deck as its author would, then process it here so thumbnails exist straight away."""
    people = {user.username: user for user in get_user_model().objects.all()}
    for slug, author, title, event, presented_on, topic_slugs, kind, slides in DECKS:
        if SlideDeck.objects.filter(title=title).exists():
            stdout.write(f"  kept deck {title}")
            continue
        content = pdf_bytes(title, slides) if kind == "pdf" else pptx_bytes(title, slides)
        filename = f"{slugify(title)[:60]}.{kind}"
        with transaction.atomic():
            deck = SlideDeck(
                title=title, community=CommunityPage.objects.get(slug=slug) if slug else None,
                uploaded_by=people[author], event=event, presented_on=date.fromisoformat(presented_on),
                kind=kind, original_filename=filename, file_size=len(content),
                description=f"Slides from {event}: {slides[0][1][0].lower()}.",
            )
            deck.file.save(filename, ContentFile(content), save=False)
            deck.save()
            deck.topics.set(Topic.objects.filter(slug__in=topic_slugs))
        status = process_now(deck.pk)
        stdout.write(f"  shared deck {title} ({status})")
