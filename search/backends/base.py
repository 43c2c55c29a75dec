from pathlib import Path

SYNONYMS_FILE = Path(__file__).resolve().parent.parent / "synonyms.txt"


class SearchUnavailable(Exception):
    """The backend can't be reached; the caller falls back or keeps the change for later."""


def synonym_rules():
    """The domain's synonym lines ("a, b, c"), comments and blank lines left out."""
    lines = SYNONYMS_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


class SearchBackend:
    """What every backend does; one contract suite (tests/search/contract.py) holds them all to it."""

    def __init__(self, url=""):
        self.url = url

    def index(self, documents):
        """Add or replace these SearchDocuments."""
        raise NotImplementedError

    def remove(self, keys):
        """Forget these document keys; unknown keys are fine."""
        raise NotImplementedError

    def search(self, query, reader, filters, page=1, per_page=10, match_all=True):
        """SearchResults for what `reader` may read: hits, total and facets all filtered by permission.

        With ``match_all`` every word (or its synonym) must occur; without it, any may, best matches first:
        the service asks that way when the strict query found nothing."""
        raise NotImplementedError

    def suggest(self, prefix, reader, limit=8):
        """Titles for the search box's autocomplete: [{"title", "url", "kind"}], readable ones only."""
        raise NotImplementedError

    def indexed_fingerprints(self):
        """{key: fingerprint} of everything indexed, for `search_index --check`."""
        raise NotImplementedError

    def rebuild(self, documents):
        """Replace the whole index with `documents` (an iterable); searches keep answering meanwhile."""
        raise NotImplementedError
