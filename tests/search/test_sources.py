"""Building every document at once (search_index --rebuild, --check): the same documents as one at a time, for a
number of queries that does not grow with the number of threads or posts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities import services
from search.sources import all_documents, document_for_key
from tests.factories import add_community, add_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_posting_limit")]


@pytest.fixture
def forum(home, people):
    community = add_community(home, "contact-centres", title="Contact Centres")
    add_member(people["member"], community)
    return community


def add_threads(community, author, count, replies=2):
    threads = []
    for number in range(count):
        thread = services.start_thread(author, community, f"Avoidable contact, part {number}", "Opening words.")
        for reply in range(replies):
            services.reply(author, thread, f"Reply {reply} on part {number}.")
        threads.append(thread)
    return threads


def queries_for_all_documents():
    with CaptureQueriesContext(connection) as captured:
        documents = list(all_documents())
    return documents, len(captured.captured_queries)


def test_all_documents_are_the_documents_built_one_at_a_time(forum, people):
    threads = add_threads(forum, people["member"], 3)
    hidden = threads[0]
    hidden.is_hidden = True
    hidden.save()

    documents, _ = queries_for_all_documents()

    assert {document.key for document in documents} >= {f"thread:{thread.pk}" for thread in threads[1:]}
    assert f"thread:{hidden.pk}" not in {document.key for document in documents}
    for document in documents:
        assert document == document_for_key(document.key)
    reply_text = next(document.body for document in documents if document.key == f"thread:{threads[1].pk}")
    assert reply_text.splitlines() == ["Opening words.", "Reply 0 on part 1.", "Reply 1 on part 1."]


def test_building_them_takes_the_same_queries_for_many_threads_as_for_few(forum, people):
    add_threads(forum, people["member"], 2)
    queries_for_all_documents()  # the site's root paths, cached from then on
    _, few = queries_for_all_documents()

    add_threads(forum, people["member"], 10, replies=4)
    documents, many = queries_for_all_documents()

    assert sum(document.kind == "thread" for document in documents) == 12
    assert many == few
