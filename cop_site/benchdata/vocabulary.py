"""The platform's vocabulary, in one place: words, domain terms, places and names, and text drawn from them.

Public-sector performance management, written fresh: councils, contact centres, avoidable contact (NI14),
KPIs, scrutiny, channel shift, customer insight. Text is drawn word by word from Zipf-weighted lists
(function words, general words, domain terms, place names), each piece leaning on one or two themes, so
common words are very common, theme terms cluster, and a few planted terms are rare or very rare.

The search benchmark's corpus (bench/corpus.py) and the benchmark data generator (`generate_bench_data`)
both draw from here. Every function takes the caller's ``random.Random``: the same seed gives the same text.
Changing these lists changes the search benchmark's corpus: add new lists rather than editing old ones.
"""

from itertools import accumulate

# Share of the running text drawn from each list; the rest of a document's domain terms come from its themes.
FUNCTION_SHARE, GENERAL_SHARE, DOMAIN_SHARE, PLACE_SHARE = 0.46, 0.40, 0.03, 0.02
THEME_SHARE = 0.06

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


def zipf(items, mass, exponent=1.0):
    """(item, weight) pairs sharing `mass`, the first the heaviest."""
    raw = [1 / (rank ** exponent) for rank in range(1, len(items) + 1)]
    total = sum(raw)
    return [(item, mass * weight / total) for item, weight in zip(items, raw)]


def _councils():
    return [f"{place} {COUNCIL_SUFFIXES[n % len(COUNCIL_SUFFIXES)]}" for n, place in enumerate(PLACES)]


COUNCILS = _councils()
_ALL_DOMAIN = [term for _, terms in THEMES.values() for term in terms]
_POOL = (zipf(FUNCTION_WORDS, FUNCTION_SHARE, 0.9) + zipf(GENERAL_WORDS, GENERAL_SHARE, 1.0)
         + zipf(_ALL_DOMAIN, DOMAIN_SHARE, 0.8) + zipf(PLACES, PLACE_SHARE, 0.7))
POOL_WORDS = [item for item, _ in _POOL]
POOL_WEIGHTS = list(accumulate(weight for _, weight in _POOL))
THEME_WEIGHTS = {slug: list(accumulate(w for _, w in zipf(terms, 1.0, 0.7))) for slug, (_, terms) in THEMES.items()}


def text(rng, themes, words):
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


def domain_term(rng, themes):
    """One domain term from one of the themes, the commoner terms more often."""
    theme = rng.choice(themes)
    return rng.choices(THEMES[theme][1], cum_weights=THEME_WEIGHTS[theme])[0]


def title(rng, kind, themes, council=None):
    """A title for a "thread", a "deck" or (any other kind) a case study, naming the themes' terms (and a council,
    `council` if given)."""
    term, other = domain_term(rng, themes), domain_term(rng, themes)
    council = council or rng.choice(COUNCILS)
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


# For the benchmark data generator: more people, more kinds of group, and the pieces posts are made of.

MORE_FIRST_NAMES = ["Abigail", "Adam", "Amir", "Anna", "Ben", "Beth", "Callum", "Carys", "Claire", "Daniel", "Deepa",
                    "Eleanor", "Emeka", "Fiona", "Gareth", "Grace", "Hannah", "Harjit", "Helen", "Ian", "Isla",
                    "James", "Joanna", "Karen", "Kwame", "Laura", "Liam", "Lucy", "Mark", "Martha", "Mohammed",
                    "Nadia", "Neil", "Olu", "Paul", "Rachel", "Rhys", "Sarah", "Shona", "Simon", "Sofia", "Stuart",
                    "Tariq", "Una", "Victoria", "Wei", "Yusuf", "Zara"]
MORE_LAST_NAMES = ["Adams", "Ahmed", "Bennett", "Bradley", "Campbell", "Clarke", "Collins", "Davies", "Edwards",
                   "Evans", "Farrell", "Green", "Hall", "Harris", "Hussain", "Jackson", "Jones", "Khan", "Lewis",
                   "Macdonald", "Marsh", "Morris", "Murphy", "Nolan", "Owen", "Parker", "Patel", "Price", "Reid",
                   "Roberts", "Robinson", "Shaw", "Singh", "Smith", "Taylor", "Thomas", "Turner", "Walker",
                   "Ward", "Watson", "Williams", "Wilson", "Wright", "Young"]
MORE_JOB_TITLES = ["Head of Performance", "Business Improvement Officer", "Customer Services Adviser",
                   "Team Leader, Customer Contact", "Corporate Policy Manager", "Research and Intelligence Officer",
                   "Complaints Manager", "Digital Services Manager", "Democratic Services Officer",
                   "Programme Manager", "Insight Lead", "Assistant Director, Customer Services"]
OTHER_BODIES = ["Fire and Rescue Service", "Police", "NHS Trust", "Housing Association", "Clinical Commissioning Group"]
GROUP_NOUNS = ["Network", "Forum", "Practitioners", "Group", "Community", "Exchange", "Circle", "Club"]
GREETINGS = ["Thanks for raising this.", "Good question.", "Interesting thread.", "We had the same problem.",
             "Agree with the points above.", "A slightly different view from here.", "Hello all,"]
SIGN_OFFS = ["Hope that helps.", "Happy to share more offline.", "Keen to hear how others do it.",
             "Thanks in advance.", "Will report back once we have the figures.", ""]
LINK_PHRASES = ["There is more detail in our guidance on", "We published a short note on",
                "The report on", "Our scrutiny review of", "See the toolkit on"]
CODE_SNIPPETS = [
    ("sql", "SELECT ward, COUNT(*) AS contacts,\n       SUM(CASE WHEN avoidable THEN 1 ELSE 0 END) AS avoidable\n"
            "FROM contact_sample\nGROUP BY ward\nORDER BY avoidable DESC;"),
    ("", "=COUNTIFS(Sample!C:C, \"Avoidable\", Sample!D:D, \"Progress chasing\") / COUNTA(Sample!A:A)"),
    ("python", "rate = answered_in_60s / offered\nprint(f\"Service level: {rate:.1%}\")"),
    ("csv", "quarter,calls_offered,answered_60s,abandoned\nQ1,48210,39120,3870\nQ2,45980,38775,2910"),
]
PLAN_OWNERS = ["Contact centre manager", "Head of customer services", "Corporate performance team",
               "Scrutiny officer", "Digital services team", "Service heads with the performance team",
               "Complaints team", "Customer insight team"]
MEASURES = ["Calls answered within 60 seconds", "Abandoned calls", "First contact resolution", "Avoidable contact",
            "Complaints answered in 10 days", "Web transactions completed", "Customer satisfaction",
            "Repeat contacts within 7 days", "Average handling time", "FOI requests answered on time"]


def thread_title(rng, themes):
    """A forum thread's title: the search corpus's kinds of title and more, so a big forum repeats itself less."""
    if rng.random() < 0.4:
        return title(rng, "thread", themes)
    term, other, council = domain_term(rng, themes), domain_term(rng, themes), rng.choice(COUNCILS)
    year = rng.randint(2019, 2026)
    templates = [
        f"{term[:1].upper() + term[1:]} benchmarking: who else reports this quarterly?",
        f"Moving {term} online at {council}", f"{council} has improved {term}: how?",
        f"Help: {term} figures for scrutiny next week", f"Anyone using {term} alongside {other}?",
        f"{term[:1].upper() + term[1:]} targets for {year}/{str(year + 1)[2:]}", f"Lessons from our {term} review",
        f"Template wanted: {term} report to members", f"What counts as {term}?",
        f"{term[:1].upper() + term[1:]} in {rng.choice(REGIONS)} councils: a comparison",
    ]
    return rng.choice(templates)
