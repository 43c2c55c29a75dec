from urllib.parse import urlencode

from django import template

register = template.Library()


@register.simple_tag
def facet_url(params, name, value):
    """The current search URL with one facet set (or cleared when value is empty), back on page 1.

    Built from the parameters' lists rather than a changed copy of the QueryDict: a results page has some seventy of
    these links, and copying deep-copies every value (18 -> 5 µs a link)."""
    pairs = {key: values for key, values in params.lists() if key != "page"}
    pairs[name] = [] if value in ("", None) else [value]   # in its place when already set, as QueryDict keeps it
    return "?" + urlencode([(key, values) for key, values in pairs.items() if values], doseq=True)


@register.simple_tag
def page_url(params, number):
    pairs = dict(params.lists())
    pairs["page"] = [number]
    return "?" + urlencode(list(pairs.items()), doseq=True)
