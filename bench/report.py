"""What the benchmark scripts share when they report: percentiles, tables, budgets and BENCHMARKS.md's sections.

BENCHMARKS.md has one `## ` section per benchmark. A script replaces only its own section (or its own `### ` block
inside one), keeping every other section and block, notes written by hand included.
"""

import math
import os
import platform
import re
from dataclasses import dataclass
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"

HEADER = """# Benchmarks

Measured numbers, each with the command that produced it. The scripts live in `bench/` (see `bench/README.md`)
and are not part of the test run.

**Machine.** 2 CPU cores, 24 GiB RAM, Python 3.11, Java 17, PostgreSQL 15 and a single Elasticsearch 8 node from
the Maven harness (`search/es-node/`, 1 GB heap), both started on the same machine by
`scripts/with-test-services.sh`. Other work was running on the machine during the runs, so differences of a few
per cent are noise.
"""


def percentile(values, q):
    """Nearest rank: the smallest value with at least q % of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def print_table(title, header, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    print(f"\n{title}")
    print("  ".join(str(cell).ljust(width) for cell, width in zip(header, widths)))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))


def machine():
    """One line naming the machine a run was made on: cores, processor, memory, Python."""
    cpuinfo, meminfo = Path("/proc/cpuinfo"), Path("/proc/meminfo")
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M) if cpuinfo.exists() else None
    memory = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.M) if meminfo.exists() else None
    parts = [f"{os.cpu_count()} CPU cores" + (f" ({model.group(1).strip()})" if model else "")]
    if memory:
        parts.append(f"{int(memory.group(1)) / 2**20:.0f} GiB RAM")
    parts.append(f"{platform.system()} {platform.release()}, Python {platform.python_version()}")
    return ", ".join(parts)


# ---------------------------------------------------------------------------------------------- budgets


@dataclass
class Budget:
    """One of issue #6's limits and what a run measured against it."""

    what: str
    measured: float
    limit: float
    unit: str
    at_least: bool = False   # a floor (messages a second) rather than a ceiling

    @property
    def met(self):
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit

    def row(self):
        measured = f"{self.measured:,.0f}" if float(self.measured).is_integer() else f"{self.measured:,.1f}"
        return [self.what, f"{measured} {self.unit}", f"{'≥' if self.at_least else '≤'} {self.limit:,g} {self.unit}",
                "met" if self.met else "**missed**"]


def budget_table(budgets):
    return ["budget", "measured", "limit", "met or missed"], [budget.row() for budget in budgets]


def missed(budgets):
    return [budget for budget in budgets if not budget.met]


# ---------------------------------------------------------------------------------------------- BENCHMARKS.md


def read_benchmarks(path=BENCHMARKS):
    return path.read_text(encoding="utf-8") if path.exists() else HEADER


def find_section(text, title):
    """The `## title` section of the text, up to the next `## ` heading."""
    return re.search(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", text, re.S | re.M)


def section_blocks(text, title):
    """The `### ` blocks of the `## title` section, by their heading line."""
    section = find_section(text, title)
    if not section:
        return {}
    return {match.group(0).splitlines()[0]: match.group(0).rstrip() + "\n"
            for match in re.finditer(r"^### .*?(?=^### |\Z)", section.group(0), re.S | re.M)}


def replace_section(path, title, section):
    """Write `section` (which starts with its `## title` line) in place of the old one, or at the end."""
    text = read_benchmarks(path)
    found = find_section(text, title)
    section = section.rstrip() + "\n"
    if found:
        rest = text[found.end():]
        text = text[:found.start()] + section + ("\n" + rest if rest else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")
