"""A seeded corpus of SearchDocuments in the platform's vocabulary, for the search benchmark.

    documents(n, seed) -> [SearchDocument], the same n documents for the same seed on every machine

Public-sector performance management, written fresh: councils, contact centres, avoidable contact (NI14),
KPIs, scrutiny, channel shift, customer insight. Text is drawn word by word from Zipf-weighted lists
(function words, general words, domain terms, place names), each document leaning on one or two themes,
so common words are very common, theme terms cluster, and a few planted terms are rare or very rare.

The same n and seed give the same documents on every machine. The first documents are the communities (one per 1,000 documents, at least 10); the rest are threads,
slide decks, case studies and a few member profiles. A third of the communities are members-only or
private: their threads and decks are readable by their members only.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import accumulate

from search.documents import Access, SearchDocument

DEFAULT_SEED = 2009
MIN_BODY_WORDS, MAX_BODY_WORDS = 50, 400
FIRST_DATE = datetime(2007, 1, 1, tzinfo=timezone.utc)
DATE_SPAN_SECONDS = int((datetime(2026, 1, 1, tzinfo=timezone.utc) - FIRST_DATE).total_seconds())

# Share of the running text drawn from each list; the rest of a document's domain terms come from its themes.
FUNCTION_SHARE, GENERAL_SHARE, DOMAIN_SHARE, PLACE_SHARE = 0.46, 0.40, 0.03, 0.02
THEME_SHARE = 0.06
KIND_WEIGHTS = (("thread", 62), ("deck", 18), ("case_study", 16), ("profile", 4))

FUNCTION_WORDS = """
the of and to a in is that for it as with was on be by this are we at from have or not but an they which you one
their has been were all more can if will its there about would what so up out who also into than them only other
some could do these may then two any our new how when most over should such very after first just where much
because well between those each through both while same under own still many did being here before why off
""".split()

GENERAL_WORDS = """
service services council people work data staff year report information local public time approach team review
results need support change way plan improvement residents resources process target targets measure measures
question questions example examples evidence members officers group meeting month quarter budget cost costs
value management system systems project projects area areas issue issues level levels quality standards
framework outcome outcomes delivery policy analysis experience practice users demand partners community
communities approach priorities priority figures trend trends baseline survey surveys feedback complaints
response responses reporting monitoring assessment inspection review reviews action actions recommendations
officer manager managers director cabinet portfolio chief executive leader councillors elected savings
efficiency investment contract contracts procurement commissioning provider providers market sector national
government department guidance toolkit template spreadsheet dashboard scorecard report reports minutes agenda
workshop conference presentation slides session discussion thread post reply summary lessons learned challenge
challenges risk risks contingency timescale milestones deadline progress update updates agreed proposal
option options business case pilot pilots trial evaluation impact benefit benefits realisation culture
leadership ownership accountability transparency openness trust confidence satisfaction expectations needs
vulnerable older younger families children adults housing planning waste recycling libraries parks highways
transport licensing environmental health revenues benefits payments invoices enquiries requests visits calls
telephone phone email letters web online digital face counter reception hub office offices centre centres
visit visitors cases caseload backlog queue queues waiting times handling handled resolved resolution escalated
transferred referral referrals routing script scripts training coaching morale sickness absence turnover
recruitment capacity rota shifts peaks seasonal volumes forecast forecasting modelling mapping journey journeys
touchpoints segments segmentation profile profiles mosaic demographic census deprivation wards neighbourhoods
parish town city county district borough unitary metropolitan regional region north south east west midlands
london yorkshire partnership partnerships police health fire voluntary charities housing associations
colleges schools nhs trust trusts clinical commissioning integrated joint strategic needs assessment
sustainable growth economy jobs skills employment regeneration tourism culture leisure sport arts heritage
spending cuts austerity reserves settlement grant grants funding bid bids award awards recognition champion
network networks forum forums members member join joined invite invited facilitator facilitators moderator
newsletter roundup monthly weekly annual yearly agenda item items paper papers briefing note notes template
register registered login password account profile photo link links document documents file files download
uploaded shared sharing share thanks thank welcome hello interesting useful helpful great good excellent poor
bad better worse best worst high low higher lower increase decrease increased reduced reduction improvement
improved improving worked working works done doing made making make take taking took used using use find
found finding look looking looked see seen show showed shows know known think thought feel felt say said ask
asked tell told help helped try tried want wanted need needed keep kept start started stop stopped run
running ran set setting put puts give gave given get got getting move moved moving build built building
""".split()

# Domain terms, commonest first within each theme; a document draws most of its domain terms from its themes.
THEMES = {
    "performance-management": ("Performance management", [
        "performance management", "performance", "indicators", "performance indicators", "targets",
        "performance framework", "balanced scorecard", "quarterly monitoring", "performance report",
        "benchmarking", "data quality", "performance culture", "outcome measures", "service plans",
    ]),
    "contact-centres": ("Contact centres", [
        "contact centre", "call centre", "calls", "call handling", "abandoned calls", "call volumes",
        "average handling time", "first contact resolution", "service levels", "telephony", "call waiting",
        "customer service centre", "opening hours", "advisers",
    ]),
    "avoidable-contact": ("Avoidable contact and NI14", [
        "avoidable contact", "NI14", "national indicator 14", "avoidable contact indicator", "value demand",
        "failure demand", "sampling", "contact sampling", "repeat contacts", "progress chasing",
        "avoidable contact return", "root causes",
    ]),
    "channel-strategy": ("Channel strategy", [
        "channel shift", "channel strategy", "website", "online forms", "self service", "cost per contact",
        "digital by default", "web visits", "face to face", "channel migration", "assisted digital",
        "digital inclusion",
    ]),
    "customer-insight": ("Customer insight", [
        "customer insight", "customer", "customers", "customer satisfaction", "satisfaction survey",
        "customer journey", "customer segmentation", "insight", "citizen", "customer feedback",
        "customer experience", "customer first",
    ]),
    "scrutiny": ("Scrutiny", [
        "scrutiny", "scrutiny committee", "overview and scrutiny", "scrutiny review", "call for action",
        "councillor call for action", "select committee", "recommendations", "witnesses", "task and finish group",
        "executive response",
    ]),
    "national-indicators": ("National indicators", [
        "national indicators", "national indicator set", "local area agreement", "LAA", "KPI", "KPIs",
        "key performance indicator", "comprehensive area assessment", "Audit Commission", "Place Survey",
        "best value", "BVPI",
    ]),
    "total-place": ("Total Place", [
        "total place", "place based budgets", "public sector partners", "counting the money",
        "joined up services", "whole place", "community budgets", "pooled budgets",
    ]),
    "complaints": ("Complaints and compliments", [
        "complaints", "complaint handling", "compliments", "stage one complaints", "learning from complaints",
        "freedom of information", "FOI", "FOI requests", "subject access requests", "response times",
    ]),
    "social-media": ("Social media", [
        "social media", "twitter", "blog", "blogs", "online community", "community of practice",
        "communities of practice", "webinar", "knowledge sharing", "forum",
    ]),
    "co-production": ("Co-production and engagement", [
        "co-production", "engagement", "community engagement", "consultation", "citizens panel",
        "participation", "neighbourhood forums", "user involvement", "codesign",
    ]),
    "shared-services": ("Shared services", [
        "shared services", "shared service centre", "back office", "transactional services", "outsourcing",
        "efficiency savings", "ICT", "information technology", "CRM", "customer relationship management",
    ]),
}
THEME_SLUGS = list(THEMES)

# Planted terms and the share of documents that carry one sentence with them: common, rare, very rare.
PLANTED = [
    (0.01, ["webchat", "IVR", "participatory budgeting", "geodemographic", "mystery shopper visits"]),
    (0.0005, ["ombudsman", "triangulation", "Varney", "Gershon", "Lyons inquiry", "mystery shopping"]),
    (0.00005, ["deliberative polling", "citizens jury", "hyperlocal"]),
]

PLACES = """
Kettering Northamptonshire Lewisham Camden Kent Sunderland Barnsley Bradford Leeds Manchester Birmingham Bristol
Cornwall Devon Somerset Norfolk Suffolk Essex Hertfordshire Surrey Hampshire Dorset Wiltshire Gloucestershire
Oxfordshire Buckinghamshire Cambridgeshire Lincolnshire Nottinghamshire Derbyshire Leicestershire Staffordshire
Shropshire Cheshire Lancashire Cumbria Durham Northumberland Gateshead Newcastle Tameside Wigan Salford Stockport
Trafford Bolton Bury Rochdale Oldham Kirklees Calderdale Wakefield Rotherham Doncaster Sheffield Hull York
Harrogate Middlesbrough Stockton Hartlepool Darlington Redcar Blackpool Preston Lancaster Liverpool Sefton
Wirral Knowsley Warrington Halton Coventry Solihull Walsall Wolverhampton Dudley Sandwell Worcestershire
Herefordshire Warwickshire Luton Bedford Peterborough Southend Thurrock Medway Brighton Portsmouth Southampton
Swindon Reading Slough Croydon Bromley Sutton Merton Wandsworth Lambeth Southwark Hackney Islington Haringey
Enfield Barnet Harrow Brent Ealing Hounslow Hillingdon Newham Greenwich Bexley
""".split()
COUNCIL_SUFFIXES = ["Council", "County Council", "Borough Council", "City Council", "District Council"]
REGIONS = ["North West", "North East", "Yorkshire", "East Midlands", "West Midlands", "Eastern", "London",
           "South East", "South West", "Wales", "Northern", "Southern"]
COMMUNITY_NAMES = ["Performance Network", "Contact Centre Forum", "Scrutiny Officers", "Customer Insight Group",
                   "Channel Strategy Network", "Performance Leads", "Complaints Officers", "Policy and Performance",
                   "Data and Insight", "Customer Services Managers"]
FIRST_NAMES = ["Alex", "Sam", "Jo", "Chris", "Pat", "Robin", "Morgan", "Jamie", "Kim", "Lee", "Nicola", "Ravi",
               "Aisha", "Tom", "Gwen", "Dana", "Priya", "Owen", "Ruth", "Imran"]
LAST_NAMES = ["Ellery", "Whitlock", "Natarajan", "Pritchard", "Okafor", "Hughes", "Barker", "Chowdhury",
              "Fletcher", "Mensah", "Lowe", "Quinn", "Doyle", "Sutherland", "Ashworth", "Kaur"]
JOB_TITLES = ["Performance Manager", "Customer Services Manager", "Scrutiny Officer", "Policy Officer",
              "Head of Customer Insight", "Contact Centre Manager", "Improvement Adviser", "Data Analyst"]
EVENTS = ["regional performance conference", "contact centre managers' seminar", "scrutiny network day",
          "customer insight masterclass", "LGA annual conference", "channel shift workshop"]


def _zipf(items, mass, exponent=1.0):
    """(item, weight) pairs sharing `mass`, the first the heaviest."""
    raw = [1 / (rank ** exponent) for rank in range(1, len(items) + 1)]
    total = sum(raw)
    return [(item, mass * weight / total) for item, weight in zip(items, raw)]


def _councils():
    return [f"{place} {COUNCIL_SUFFIXES[n % len(COUNCIL_SUFFIXES)]}" for n, place in enumerate(PLACES)]


COUNCILS = _councils()
_ALL_DOMAIN = [term for _, terms in THEMES.values() for term in terms]
_POOL = (_zipf(FUNCTION_WORDS, FUNCTION_SHARE, 0.9) + _zipf(GENERAL_WORDS, GENERAL_SHARE, 1.0)
         + _zipf(_ALL_DOMAIN, DOMAIN_SHARE, 0.8) + _zipf(PLACES, PLACE_SHARE, 0.7))
POOL_WORDS = [item for item, _ in _POOL]
POOL_WEIGHTS = list(accumulate(weight for _, weight in _POOL))
THEME_WEIGHTS = {slug: list(accumulate(w for _, w in _zipf(terms, 1.0, 0.7))) for slug, (_, terms) in THEMES.items()}


@dataclass(frozen=True)
class Community:
    pk: int
    title: str
    access: str            # Access.PUBLIC, or Access.COMMUNITY for members-only and private ones
    themes: tuple


def community_count(n):
    return max(10, n // 1000)


def community(pk, seed=DEFAULT_SEED):
    """Community `pk` (1-based): a third members-only or private, the rest public."""
    rng = random.Random(f"{seed}:community:{pk}")
    title = f"{REGIONS[(pk - 1) % len(REGIONS)]} {COMMUNITY_NAMES[(pk - 1) // len(REGIONS) % len(COMMUNITY_NAMES)]}"
    if pk > len(REGIONS) * len(COMMUNITY_NAMES):
        title += f" {pk}"
    access = Access.COMMUNITY if rng.random() < 1 / 3 else Access.PUBLIC
    return Community(pk, title, access, tuple(rng.sample(THEME_SLUGS, 2)))


def communities(n, seed=DEFAULT_SEED):
    return [community(pk, seed) for pk in range(1, community_count(n) + 1)]


def _text(rng, themes, words):
    """About `words` words of sentences: the shared pool, with a share of the positions given to theme terms."""
    tokens = rng.choices(POOL_WORDS, cum_weights=POOL_WEIGHTS, k=words)
    for position in rng.sample(range(words), int(words * THEME_SHARE)):
        theme = themes[position % len(themes)]
        tokens[position] = rng.choices(THEMES[theme][1], cum_weights=THEME_WEIGHTS[theme])[0]
    for share, terms in PLANTED:
        if rng.random() < share * len(terms):
            tokens[rng.randrange(words)] = rng.choice(terms)
    sentences, start = [], 0
    while start < len(tokens):
        length = rng.randint(6, 20)
        sentence = " ".join(tokens[start:start + length])
        sentences.append(sentence[:1].upper() + sentence[1:] + rng.choice(".....?"))
        start += length
    return " ".join(sentences)


def _term(rng, themes):
    theme = rng.choice(themes)
    return rng.choices(THEMES[theme][1], cum_weights=THEME_WEIGHTS[theme])[0]


def _title(rng, kind, themes):
    term, other, council = _term(rng, themes), _term(rng, themes), rng.choice(COUNCILS)
    if kind == "thread":
        templates = [f"How are you measuring {term}?", f"{term.capitalize()} and {other}: any examples?",
                     f"Advice wanted on {term} at {council}", f"Reducing {term} in the contact centre",
                     f"Has anyone linked {term} to {other}?", f"{term.capitalize()}: what does good look like?"]
    elif kind == "deck":
        templates = [f"{term.capitalize()}: {council} presentation", f"{rng.choice(EVENTS).capitalize()}: {term}",
                     f"{term.capitalize()} in practice ({council})"]
    else:
        templates = [f"{council}: improving {term}", f"How {council} tackled {term} through {other}",
                     f"{term.capitalize()} at {council}: an intervention plan"]
    return rng.choice(templates)


def document(number, n_communities, seed=DEFAULT_SEED):
    """Document `number` (0-based) of a corpus with `n_communities` communities."""
    if number < n_communities:
        group = community(number + 1, seed)
        rng = random.Random(f"{seed}:document:{number}")
        topics = list(group.themes)
        return SearchDocument(
            key=f"community:{group.pk}", kind="community", title=group.title,
            body=_text(rng, group.themes, rng.randint(MIN_BODY_WORDS, 150)), url=f"/communities/bench-{group.pk}/",
            access=group.access, date=FIRST_DATE + timedelta(seconds=rng.randrange(DATE_SPAN_SECONDS)),
            community_id=group.pk, community_title=group.title,
            topics=topics, topic_names=[THEMES[slug][0] for slug in topics],
        )
    rng = random.Random(f"{seed}:document:{number}")
    kind = rng.choices([k for k, _ in KIND_WEIGHTS], weights=[w for _, w in KIND_WEIGHTS])[0]
    date = FIRST_DATE + timedelta(seconds=rng.randrange(DATE_SPAN_SECONDS))
    words = rng.randint(MIN_BODY_WORDS, MAX_BODY_WORDS)
    if kind == "profile":
        themes = (rng.choice(THEME_SLUGS),)
        title = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        body = f"{rng.choice(JOB_TITLES)}, {rng.choice(COUNCILS)}. " + _text(rng, themes, min(words, 120))
        return SearchDocument(key=f"profile:{number}", kind=kind, title=title, body=body,
                              url=f"/members/bench-{number}/", access=Access.MEMBERS, date=date)
    group = None
    if kind == "thread" or (kind == "deck" and rng.random() < 0.7) or (kind == "case_study" and rng.random() < 0.6):
        group = community(rng.randint(1, n_communities), seed)
    themes = group.themes if group and rng.random() < 0.8 else tuple(rng.sample(THEME_SLUGS, rng.randint(1, 2)))
    access = group.access if group and kind != "case_study" else Access.PUBLIC
    topics = list(themes)
    return SearchDocument(
        key=f"{kind}:{number}", kind=kind, title=_title(rng, kind, themes), body=_text(rng, themes, words),
        url=f"/bench/{kind}/{number}/", access=access, date=date,
        community_id=group.pk if group else None, community_title=group.title if group else "",
        topics=topics, topic_names=[THEMES[slug][0] for slug in topics],
    )


def documents(n, seed=DEFAULT_SEED):
    n_communities = community_count(n)
    return [document(number, n_communities, seed) for number in range(n)]
