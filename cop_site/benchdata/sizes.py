"""How much data each size makes: `large` is Knowledge Hub's scale (issue #6), the others a tenth and a hundredth."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    members: int            # users, staff included
    communities: int
    threads: int
    posts: int              # opening posts included
    decks: int
    case_studies: int
    months: int             # months of published roundups, ending with last month
    roundup_communities: int  # the busiest communities that have their own roundup besides the site-wide one
    body_pool: int          # distinct Markdown post bodies, each rendered once and reused
    staff: int = 3

    def __post_init__(self):
        if self.posts < self.threads or self.threads < 1 or self.members < self.staff + 10 or self.communities < 3:
            raise ValueError("A preset needs at least one post per thread, a thread, ten members and three communities.")


PRESETS = {
    "large": Preset(members=150_000, communities=1_500, threads=300_000, posts=1_000_000, decks=20_000,
                    case_studies=3_000, months=36, roundup_communities=3, body_pool=4_000),
    "medium": Preset(members=15_000, communities=150, threads=30_000, posts=100_000, decks=2_000,
                     case_studies=300, months=12, roundup_communities=2, body_pool=2_000),
    "small": Preset(members=1_500, communities=15, threads=3_000, posts=10_000, decks=200,
                    case_studies=30, months=6, roundup_communities=2, body_pool=600),
}
