"""Members: users with one shared password hash, their verified (or not) email addresses and their profiles.

The first few users are staff (the first a superuser). Most members joined before the 36 months of activity
began, the rest during them; a few percent never verified their address (they read but can't post) and about
one in a hundred has been deactivated.
"""

from array import array
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from communities.models import Profile

from . import bodies
from .rows import TableWriter, next_id
from .timeline import DAY, as_datetime
from .vocabulary import (
    COUNCILS, FIRST_NAMES, JOB_TITLES, LAST_NAMES, MORE_FIRST_NAMES, MORE_JOB_TITLES, MORE_LAST_NAMES, OTHER_BODIES,
    PLACES, THEME_SLUGS, text,
)

PASSWORD = "bench-password"
EMAIL_DOMAIN = "example.org"
VERIFIED_SHARE = 0.92
INACTIVE_SHARE = 0.01
JOINED_BEFORE_WINDOW_SHARE = 0.6
BIO_SHARE = 0.3
FREQUENCIES = [Profile.EmailFrequency.IMMEDIATELY, Profile.EmailFrequency.DAILY, Profile.EmailFrequency.NEVER]
FREQUENCY_WEIGHTS = [50, 85, 100]  # cumulative: half as it happens, a third daily, the rest never

FIRST = FIRST_NAMES + MORE_FIRST_NAMES
LAST = LAST_NAMES + MORE_LAST_NAMES
ORGANISATIONS = COUNCILS + [f"{place} {body}" for place in PLACES[::7] for body in OTHER_BODIES]
ROLES = JOB_TITLES + MORE_JOB_TITLES


@dataclass
class People:
    """What later phases need to know about the members, by position (user id = first_id + position)."""

    first_id: int
    staff_ids: list
    can_post: bytearray       # active with a verified address: may post, facilitate, subscribe
    active: bytearray
    joined_at: array          # timestamps
    frequency: bytearray      # index into FREQUENCIES

    @property
    def count(self):
        return len(self.joined_at)

    def user_id(self, position):
        return self.first_id + position

    def random_poster(self, rng):
        """Any member (not staff) who may post."""
        while True:
            position = rng.randrange(len(self.staff_ids), self.count)
            if self.can_post[position]:
                return self.user_id(position)


def _bio(rng):
    themes = tuple(rng.sample(THEME_SLUGS, 2))
    lines = [f"{rng.choice(ROLES)} at {rng.choice(ORGANISATIONS)}.", text(rng, themes, rng.randint(15, 45))]
    if rng.random() < 0.3:
        lines.append("Interested in:\n\n" + "\n".join(f"- {text(rng, themes, rng.randint(3, 6)).rstrip('.?')}"
                                                       for _ in range(3)))
    return "\n\n".join(lines)


def create_people(run):
    preset, rng, timeline = run.preset, run.rng("people"), run.timeline
    User = get_user_model()
    first_id = next_id(User)
    password = make_password(PASSWORD)
    bios = bodies.text_pool(rng, max(20, min(400, preset.members // 50)), _bio)
    users = TableWriter(User, ["id", "password", "last_login", "is_superuser", "username", "first_name", "last_name",
                               "email", "is_staff", "is_active", "date_joined"])
    addresses = TableWriter(EmailAddress, ["user", "email", "verified", "primary"])
    profiles = TableWriter(Profile, ["user", "display_name", "organisation", "job_title", "bio", "email_frequency",
                                     "avatar", "home_seen_at", "home_new_since", "body_html", "body_html_version"])
    people = People(first_id, [], bytearray(), bytearray(), array("d"), bytearray())

    def rows():
        for position in range(preset.members):
            user_id = first_id + position
            is_staff = position < preset.staff
            first, last = rng.choice(FIRST), rng.choice(LAST)
            username = f"{first}.{last}.{user_id}".lower().replace("'", "")
            email = f"{username}@{EMAIL_DOMAIN}"
            verified = is_staff or rng.random() < VERIFIED_SHARE
            active = is_staff or rng.random() >= INACTIVE_SHARE
            if is_staff or rng.random() < JOINED_BEFORE_WINDOW_SHARE:
                joined = timeline.before_window(rng, years=5)
            else:
                joined = timeline.moment(rng)
            seen = timeline.between(rng, max(joined, timeline.now - 60 * DAY)) if active and rng.random() < 0.7 else None
            draw = rng.random() * 100
            frequency = next(i for i, weight in enumerate(FREQUENCY_WEIGHTS) if draw < weight)
            bio = rng.randrange(len(bios.texts)) if rng.random() < BIO_SHARE else None
            people.can_post.append(verified and active)
            people.active.append(active)
            people.joined_at.append(joined)
            people.frequency.append(frequency)
            if is_staff:
                people.staff_ids.append(user_id)
            last_login = as_datetime(seen) if seen else None
            yield (
                (user_id, password, last_login, position == 0, username, first, last, email, is_staff, active,
                 as_datetime(joined)),
                (user_id, email, verified, True),
                (user_id, f"{first} {last}", rng.choice(ORGANISATIONS), rng.choice(ROLES),
                 bios.texts[bio] if bio is not None else "", FREQUENCIES[frequency], "", last_login, None,
                 bios.html[bio] if bio is not None else "", bodies.HTML_VERSION),
            )

    with run.progress("Members", preset.members) as bar, users, addresses, profiles:
        for user, address, profile in rows():
            users.add(user)
            addresses.add(address)
            profiles.add(profile)
            bar.advance()
    run.count("users", users.written)
    run.count("email addresses", addresses.written)
    return people
