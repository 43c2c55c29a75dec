"""Screenshots of the main pages at phone, tablet and desktop widths, each checked for a broken layout.

`make screenshots` runs this. On a throwaway SQLite database in a temporary folder (never db.sqlite3, never the
developer's media) it migrates, loads the demo content, builds the search index with the database backend and
serves the site on a free port. Chromium then opens each page at 375, 768 and 1280 px, saves
docs/screenshots/<page>-<width>.png, and checks that nothing overflows the page sideways and that no visible link,
button, field or heading lies on top of another. Any problem is listed and the script exits with status 1.

tests/browser/test_responsive.py runs the same check (`layout_problems`) on a small factory-built site, so this
module imports nothing from Django at the top.
"""

import contextlib
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "screenshots"
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-component-update", "--no-first-run"]
WIDTHS = (375, 768, 1280)
VIEWPORT_HEIGHT = 900
MAX_HEIGHT = 2400  # full page down to here: long pages are cut so the images stay small
SEARCH_QUERY = "avoidable contact"
FACILITATED_COMMUNITY = "policy-and-performance"  # the demo community Priya facilitates
FACILITATOR_EMAIL = "priya.natarajan@example.org"

# What a reader sees as broken: a page wider than the screen, or things to read or press drawn over each other.
# Returns plain strings so the Python side only formats them.
LAYOUT_CHECK = r"""
() => {
  const viewport = document.documentElement.clientWidth;
  const describe = (element) => {
    const parts = [];
    for (let node = element; node && node !== document.body && parts.length < 3; node = node.parentElement) {
      let name = node.tagName.toLowerCase();
      if (node.id) name += `#${node.id}`;
      name += [...node.classList].slice(0, 2).map((c) => `.${c}`).join("");
      parts.unshift(name);
    }
    const text = (element.innerText || element.value || element.getAttribute("aria-label") || "").trim().replace(/\s+/g, " ");
    return parts.join(" > ") + (text ? ` "${text.slice(0, 40)}${text.length > 40 ? "…" : ""}"` : "");
  };
  const clips = (element) => getComputedStyle(element).overflowX !== "visible" || getComputedStyle(element).overflowY !== "visible";
  const clippedAncestors = (element) => {
    const found = [];
    for (let node = element.parentElement; node && node !== document.documentElement; node = node.parentElement) {
      if (node !== document.body && clips(node)) found.push(node);
    }
    return found;
  };

  // 1. Sideways overflow: name the outermost boxes, and the elements whose own text, that stick out.
  const overflow = [];
  if (document.documentElement.scrollWidth > viewport) {
    const reach = new Map();  // element -> how far right it, or its own text, goes
    for (const element of document.body.querySelectorAll("*")) {
      if (clippedAncestors(element).length) continue;
      const box = element.getBoundingClientRect();
      let right = box.width > 0 ? box.right : 0;
      if (!clips(element)) {
        for (const child of element.childNodes) {
          if (child.nodeType !== Node.TEXT_NODE || !child.textContent.trim()) continue;
          const range = document.createRange();
          range.selectNodeContents(child);
          right = Math.max(right, range.getBoundingClientRect().right);
        }
      }
      if (right > viewport + 1) reach.set(element, right);
    }
    for (const [element, right] of reach) {
      if (!reach.has(element.parentElement)) overflow.push(`${describe(element)} reaches ${Math.round(right)} px`);
    }
    if (!overflow.length) overflow.push("the document is wider than the screen");
  }

  // 2. Overlaps: visible links, buttons, fields and headings whose boxes intersect, ancestors and descendants aside.
  const boxesOf = (element) => {
    const ancestors = clippedAncestors(element).map((node) => node.getBoundingClientRect());
    const boxes = [];
    for (const rect of element.getClientRects()) {
      let [left, top, right, bottom] = [rect.left, rect.top, rect.right, rect.bottom];
      for (const clip of ancestors) {
        left = Math.max(left, clip.left); top = Math.max(top, clip.top);
        right = Math.min(right, clip.right); bottom = Math.min(bottom, clip.bottom);
      }
      if (right - left >= 2 && bottom - top >= 2) boxes.push({left, top, right, bottom});
    }
    return boxes;
  };
  const targets = [];
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, h1, h2, h3, h4, h5, h6";
  for (const element of document.querySelectorAll(selector)) {
    if (!element.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const boxes = boxesOf(element);
    if (boxes.length) targets.push({element, boxes});
  }
  const overlaps = [];
  for (let i = 0; i < targets.length; i++) {
    for (let j = i + 1; j < targets.length; j++) {
      const [a, b] = [targets[i], targets[j]];
      if (a.element.contains(b.element) || b.element.contains(a.element)) continue;
      const hit = a.boxes.some((p) => b.boxes.some((q) =>
        Math.min(p.right, q.right) - Math.max(p.left, q.left) > 1 && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 1));
      if (hit) overlaps.push(`${describe(a.element)} overlaps ${describe(b.element)}`);
    }
  }
  return {overflow, overlaps};
}
"""


def layout_problems(page):
    """What is wrong with the layout of the page as Chromium shows it now, in words; empty when nothing is."""
    found = page.evaluate(LAYOUT_CHECK)
    width = page.viewport_size["width"]
    return ([f"wider than the {width} px screen: {item}" for item in found["overflow"]]
            + [f"overlap: {item}" for item in found["overlaps"]])


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def serve(env, port, log_path):
    """The development server on the throwaway database, stopped on the way out."""
    with open(log_path, "w") as log:
        server = subprocess.Popen([PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                                  cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"The development server did not start:\n{Path(log_path).read_text()}")
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def demo_pages():
    """(name, path, what the page must show) for a visitor, found in the demo content, then for its facilitator."""
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser

    from communities.models import CommunityPage
    from communities.queries import readable_threads
    from library.queries import listed_case_studies, readable_decks
    from newsletters.queries import public_roundups

    visitor = AnonymousUser()
    community = CommunityPage.objects.live().get(slug=FACILITATED_COMMUNITY)
    thread = readable_threads(visitor).filter(community=community).order_by("-reply_count", "pk").first()
    deck = readable_decks(visitor).filter(community=community).order_by("pk").first()
    case_study = listed_case_studies().order_by("path").first()
    roundup = public_roundups().filter(community=community).order_by("-month").first()
    public = [
        ("home", "/", ".card-grid"),
        ("community", community.url, ".thread-summaries"),
        ("thread", thread.get_absolute_url(), ".post + .post"),
        ("library", "/library/", ".library-card img"),
        ("deck", deck.get_absolute_url(), ".slide-previews img"),
        ("case-study", case_study.url, ".interventions-table"),
        ("search", "/search/?" + urllib.parse.urlencode({"q": SEARCH_QUERY}), ".search-hit"),
        ("roundup", roundup.url, ".roundup-item"),
    ]
    facilitator = [
        ("dashboard", f"{community.url}dashboard/", ".dashboard-stats"),
        ("member-home", "/my/", "h1"),
    ]
    return public, facilitator


def sign_in(page, email, password):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def capture(page, path, name, shows):
    """Visit the page at each width, save the screenshots and return the problems found.

    ``shows`` is a CSS selector for the content the screenshot is for (search hits, slide previews...): a page
    without it is reported, since its pictures would not show what the README says they do.
    """
    from PIL import Image

    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": VIEWPORT_HEIGHT})
        response = page.goto(path, wait_until="networkidle")
        if response.status != 200:
            return [f"{path} answered {response.status}"]
        if not page.locator(shows).count():
            return [f"{path} shows nothing matching {shows!r}"]
        # Lazy images below the fold would be blank in a full-page screenshot.
        page.evaluate("Promise.all([...document.images].map((image) => { image.loading = 'eager'; return image.decode().catch(() => null); }))")
        problems += [f"{width} px: {problem}" for problem in layout_problems(page)]
        height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
        shot = page.screenshot(full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height}, animations="disabled")
        # A 256-colour palette keeps text sharp at a third of the size.
        Image.open(io.BytesIO(shot)).convert("RGB").quantize(colors=256).save(OUTPUT / f"{name}-{width}.png", optimize=True)
    return problems


def main():
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        sys.exit(f"Screenshots need Debian's Chromium at {CHROMIUM}: run scripts/ensure-chromium.sh.")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cop-screenshots-") as scratch:
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cop_site.settings.dev",
            "DATABASE_URL": f"sqlite:///{scratch}/db.sqlite3",
            "MEDIA_ROOT": f"{scratch}/media",
            "PRIVATE_MEDIA_ROOT": f"{scratch}/private-media",
            "ELASTICSEARCH_URL": "",
            "EMAIL_URL": "dummy:",
            "SITE_URL": f"http://127.0.0.1:{port}",
        }
        print("Building the demo site on a throwaway database...", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo", "--port", str(port))
        manage(env, "search_index", "--rebuild")
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        public, facilitated = demo_pages()
        from communities.demo import DEMO_PASSWORD

        report = {}
        with serve(env, port, f"{scratch}/server.log") as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(base_url=url)
            page = context.new_page()
            for name, path, shows in public:
                print(f"  {name} {path}", flush=True)
                report[name] = capture(page, path, name, shows)
            sign_in(page, FACILITATOR_EMAIL, DEMO_PASSWORD)
            for name, path, shows in facilitated:
                print(f"  {name} {path} (signed in as {FACILITATOR_EMAIL})", flush=True)
                report[name] = capture(page, path, name, shows)
            browser.close()

    broken = {name: problems for name, problems in report.items() if problems}
    for name, problems in broken.items():
        print(f"\n{name}:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
    if broken:
        sys.exit(f"\nLayout problems on {len(broken)} page(s); screenshots are in {OUTPUT.relative_to(ROOT)}/.")
    print(f"{len(report) * len(WIDTHS)} screenshots in {OUTPUT.relative_to(ROOT)}/, no overflow or overlap.")


if __name__ == "__main__":
    main()
