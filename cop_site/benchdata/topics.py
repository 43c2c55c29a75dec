"""The library's topics (seeded by a migration) that stand for each theme of the vocabulary."""

from django.utils.text import slugify

from library.models import Topic

THEME_TOPICS = {
    "performance-management": "Performance management",
    "contact-centres": "Contact centres",
    "avoidable-contact": "National indicators",
    "channel-strategy": "Channel strategy",
    "customer-insight": "Customer insight",
    "scrutiny": "Scrutiny",
    "national-indicators": "National indicators",
    "total-place": "Total Place",
    "complaints": "Complaints",
    "social-media": "Digital transformation",
    "co-production": "Co-production",
    "shared-services": "Benchmarking",
}


def topics_by_theme():
    """{theme slug: Topic}; a topic missing from the database (a flushed one) is created."""
    found = {}
    for name in sorted(set(THEME_TOPICS.values())):
        found[name], _ = Topic.objects.get_or_create(name=name, defaults={"slug": slugify(name)})
    return {theme: found[name] for theme, name in THEME_TOPICS.items()}


def topics_for(themes, by_theme):
    """The distinct topics of these themes, in order."""
    return list({by_theme[theme].pk: by_theme[theme] for theme in themes}.values())
