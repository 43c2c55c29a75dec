from django import template

register = template.Library()


@register.simple_tag
def facet_url(params, name, value):
    """The current search URL with one facet set (or cleared when value is empty), back on page 1."""
    updated = params.copy()
    updated.pop("page", None)
    if value in ("", None):
        updated.pop(name, None)
    else:
        updated[name] = value
    return "?" + updated.urlencode()


@register.simple_tag
def page_url(params, number):
    updated = params.copy()
    updated["page"] = number
    return "?" + updated.urlencode()
