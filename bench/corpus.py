"""A seeded corpus of SearchDocuments in the platform's vocabulary, for the search benchmark.

    documents(n, seed) -> [SearchDocument], the same n documents for the same seed on every machine

The words, terms and names come from the platform's one vocabulary (cop_site/benchdata/vocabulary.py), which
the benchmark data generator uses too: each document leans on one or two themes, so common words are very common,
theme terms cluster, and a few planted terms are rare or very rare.

The same n and seed give the same documents on every machine. The first documents are the communities (one per 1,000 documents, at least 10); the rest are threads,
slide decks, case studies and a few member profiles. A third of the communities are members-only or
private: their threads and decks are readable by their members only.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cop_site.benchdata import vocabulary
from cop_site.benchdata.vocabulary import (
    COMMUNITY_NAMES, COUNCILS, FIRST_NAMES, JOB_TITLES, LAST_NAMES, REGIONS, THEME_SLUGS, THEMES, text,
)
from search.documents import Access, SearchDocument

DEFAULT_SEED = 2009
MIN_BODY_WORDS, MAX_BODY_WORDS = 50, 400
FIRST_DATE = datetime(2007, 1, 1, tzinfo=timezone.utc)
DATE_SPAN_SECONDS = int((datetime(2026, 1, 1, tzinfo=timezone.utc) - FIRST_DATE).total_seconds())

KIND_WEIGHTS = (("thread", 62), ("deck", 18), ("case_study", 16), ("profile", 4))


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


def document(number, n_communities, seed=DEFAULT_SEED):
    """Document `number` (0-based) of a corpus with `n_communities` communities."""
    if number < n_communities:
        group = community(number + 1, seed)
        rng = random.Random(f"{seed}:document:{number}")
        topics = list(group.themes)
        return SearchDocument(
            key=f"community:{group.pk}", kind="community", title=group.title,
            body=text(rng, group.themes, rng.randint(MIN_BODY_WORDS, 150)), url=f"/communities/bench-{group.pk}/",
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
        body = f"{rng.choice(JOB_TITLES)}, {rng.choice(COUNCILS)}. " + text(rng, themes, min(words, 120))
        return SearchDocument(key=f"profile:{number}", kind=kind, title=title, body=body,
                              url=f"/members/bench-{number}/", access=Access.MEMBERS, date=date)
    group = None
    if kind == "thread" or (kind == "deck" and rng.random() < 0.7) or (kind == "case_study" and rng.random() < 0.6):
        group = community(rng.randint(1, n_communities), seed)
    themes = group.themes if group and rng.random() < 0.8 else tuple(rng.sample(THEME_SLUGS, rng.randint(1, 2)))
    access = group.access if group and kind != "case_study" else Access.PUBLIC
    topics = list(themes)
    return SearchDocument(
        key=f"{kind}:{number}", kind=kind, title=vocabulary.title(rng, kind, themes), body=text(rng, themes, words),
        url=f"/bench/{kind}/{number}/", access=access, date=date,
        community_id=group.pk if group else None, community_title=group.title if group else "",
        topics=topics, topic_names=[THEMES[slug][0] for slug in topics],
    )


def documents(n, seed=DEFAULT_SEED):
    n_communities = community_count(n)
    return [document(number, n_communities, seed) for number in range(n)]
