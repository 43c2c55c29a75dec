from django.http import QueryDict

from search.templatetags.search_tags import facet_url, page_url


def test_a_facet_link_sets_its_facet_in_place_keeps_the_rest_and_goes_back_to_page_one():
    params = QueryDict("q=call+centre&kind=thread&year=2024&page=3")
    assert facet_url(params, "kind", "deck") == "?q=call+centre&kind=deck&year=2024"
    assert facet_url(params, "community", 12) == "?q=call+centre&kind=thread&year=2024&community=12"


def test_a_facet_link_with_no_value_clears_the_facet():
    assert facet_url(QueryDict("q=kpi&topic=scrutiny&page=2"), "topic", "") == "?q=kpi"
    assert facet_url(QueryDict("q=kpi"), "topic", None) == "?q=kpi"


def test_links_encode_what_was_typed_and_keep_repeated_parameters():
    params = QueryDict("q=%22total+place%22+%26+more&tag=a&tag=b")
    assert facet_url(params, "kind", "case_study") == "?q=%22total+place%22+%26+more&tag=a&tag=b&kind=case_study"
    assert page_url(params, 2) == "?q=%22total+place%22+%26+more&tag=a&tag=b&page=2"


def test_a_page_link_replaces_the_page_in_place():
    assert page_url(QueryDict("q=kpi&page=4&kind=deck"), 5) == "?q=kpi&page=5&kind=deck"
