"""Seeded benchmark data at Knowledge Hub's scale: `manage.py generate_bench_data` (bench/README.md).

    sizes.py        how much each size makes
    generator.py    the phases in order, in one transaction, timed
    vocabulary.py   the domain's words and text drawn from them (shared with bench/corpus.py)
    bodies.py       Markdown post bodies, rendered once each and reused
    timeline.py     when things happen
    people.py, communities.py, forum.py, notices.py, library.py, newsletters.py    what each phase writes
    rows.py, pages.py   writing rows and Wagtail pages in bulk
    progress.py     the progress line
    samples.py      `representative()`: objects in generated data for benchmarks to aim at
"""
