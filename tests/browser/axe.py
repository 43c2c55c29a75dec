"""axe-core in a Playwright page: run the WCAG 2.1 A/AA and best-practice rules and describe what fails.

axe is vendored from its npm package (vendor/README.md). The site's Content-Security-Policy (`script-src 'self'`)
blocks `page.add_script_tag`, which always inserts an inline <script> even when given a path. `page.evaluate` runs
the same source through the DevTools protocol, which the page's policy does not govern, so the page under test keeps
its real policy.
"""

from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING_IMPACTS = {"serious", "critical"}

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map(({id, impact, help, helpUrl, nodes}) => ({
    id, impact, help, helpUrl,
    nodes: nodes.map(node => ({target: node.target.join(" "), summary: node.failureSummary})),
  }));
}"""


def blocking_violations(page):
    """The serious and critical axe violations on the page as it stands now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    violations = page.evaluate(RUN_AXE, TAGS)
    return [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]


def describe(violations):
    """One paragraph per rule: what it asks, how bad, where (selectors) and why each element fails, where to read more."""
    paragraphs = []
    for violation in violations:
        lines = [f"{violation['id']} ({violation['impact']}): {violation['help']}", f"  {violation['helpUrl']}"]
        for node in violation["nodes"]:
            reason = " ".join(node["summary"].split())
            lines.append(f"  - {node['target']}: {reason}")
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def assert_accessible(page, what):
    """Fail, naming the page and every serious or critical violation, unless axe finds none."""
    violations = blocking_violations(page)
    assert not violations, f"{what} ({page.url}) has accessibility violations:\n\n{describe(violations)}"


def open_disclosures(page):
    """Open every <details> (menus, moderation tools), so the audit covers what they hold too."""
    page.evaluate("document.querySelectorAll('details').forEach(details => { details.open = true; })")
