from django import template

register = template.Library()

NAVIGATION = [
    ("Communities", "/communities/"),
    ("Library", "/library/"),
    ("Newsletters", "/newsletters/"),
    ("Search", "/search/"),
]


@register.inclusion_tag("includes/navigation.html", takes_context=True)
def main_navigation(context):
    path = context["request"].path
    return {"items": [{"label": label, "url": url, "current": path.startswith(url)} for label, url in NAVIGATION]}
