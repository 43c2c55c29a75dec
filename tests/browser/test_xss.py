"""The XSS sample in a real browser: Chromium runs no injected script, opens no dialog, and the policy blocks nothing.

The content is planted as in tests/security/test_xss_paths.py (a member and a facilitator typing each vector
into the site's forms), then every page showing it is opened in Chromium: the thread, the member's profile, the
deck, the case study, the search with the vector as the query, and one roundup carrying every vector. Each
vector that runs sets ``window.__xss`` (and most open a dialog). A page passes when, after loading and after its
content has been hovered, entered, focused and clicked at, no dialog opened, ``window.__xss`` is still undefined,
no script error happened and the Content-Security-Policy reported nothing: an injected inline handler that the
policy stopped is still an injection.
"""

from urllib.parse import urlencode

import pytest

from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.cop_site.xss_vectors import MARKER
from tests.security.test_xss_paths import build_world, typed, typed_roundup

# Everything a member can point at or tab to in the main column, the way a reader would, by events.
STIR_THE_CONTENT = """() => {
  const targets = document.querySelectorAll("main *");
  for (const element of targets) {
    for (const type of ["pointerover", "pointerenter", "mouseover", "mouseenter", "mousemove", "focusin"]) {
      element.dispatchEvent(new MouseEvent(type, {bubbles: true}));
    }
    if (typeof element.focus === "function") { element.focus(); }
  }
  return targets.length;
}"""


class Watch:
    """One Chromium page and everything it reports that an injection would cause."""

    def __init__(self, page):
        self.page = page
        self.events = []
        page.on("dialog", self.dialog)
        page.on("pageerror", lambda error: self.events.append(f"script error: {error}"))
        page.on("console", lambda message: self.events.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text else None)
        page.add_init_script(RECORD_VIOLATIONS)

    def dialog(self, dialog):
        self.events.append(f"{dialog.type} dialog: {dialog.message!r}")
        dialog.dismiss()

    def problems(self, path):
        """Open ``path``, stir its content, and say what went wrong (nothing, if all is well)."""
        self.events.clear()
        response = self.page.goto(path, wait_until="load")
        if response is None or response.status != 200:
            return [f"answered {response.status if response else 'nothing'}"]
        self.page.wait_for_timeout(100)  # handlers that fire just after load: ontoggle, onfocus, meta refresh
        found = self.state("after loading")
        self.hover_user_content()
        self.page.evaluate(STIR_THE_CONTENT)
        self.page.wait_for_timeout(50)
        return found + self.state("after hovering and focusing")

    def hover_user_content(self):
        """A real pointer over what members wrote: the heading, the post bodies, the hits."""
        for selector in ["main h1", "main .prose", "main .post-author", "main .snippet", "main .lead"]:
            for element in self.page.locator(selector).all()[:3]:
                if element.is_visible():
                    element.hover(timeout=2_000, force=True)

    def state(self, when):
        problems = [f"{when}: {event}" for event in self.events]
        self.events.clear()
        if self.page.evaluate(f"typeof window.{MARKER}") != "undefined":
            problems.append(f"{when}: an injected script ran (window.{MARKER} is set)")
        problems += [f"{when}: policy violation {violation}" for violation in self.page.evaluate("window.__cspViolations || []")]
        self.page.evaluate("window.__cspViolations = []")
        return problems


@pytest.fixture
def planted_site(settings):
    settings.FORUM_POSTS_PER_MINUTE = settings.FORUM_FLAGS_PER_HOUR = 100_000
    settings.DECK_PREVIEW_PAGES = 1
    world = build_world()
    return world, typed_roundup(world.forum, list(world.planted.values()))


def test_no_vector_runs_in_chromium(page, planted_site):
    world, roundup = planted_site
    watch = Watch(page)
    problems = [f"roundup (every vector) x roundup page: {problem}" for problem in watch.problems(roundup.url)]
    for planted in world.planted.values():
        for page_name, path in [
            ("thread page", planted.thread.get_absolute_url()),
            ("profile", f"/members/{planted.author.username}/"),
            ("deck page", planted.deck.get_absolute_url()),
            ("case study", planted.case_study.url),
            ("search with the vector as query", "/search/?" + urlencode({"q": typed(planted.vector)})),
        ]:
            problems += [f"{planted.name} x {page_name}: {problem}" for problem in watch.problems(path)]
    assert not problems, "\n".join(problems)


def test_the_watch_sees_an_injection_when_there_is_one(page):
    """The same watch on a page that does run injected markup (a data: URL, outside the site's policy)."""
    watch = Watch(page)
    page.goto("data:text/html,<img src=x onerror=alert(window.__xss=1)><p onmouseover=alert(2)>x</p>")
    page.wait_for_timeout(100)
    found = watch.state("after loading")
    assert any("dialog" in problem for problem in found) and any(MARKER in problem for problem in found)
