"""A bench-only app: the search benchmark's corpus as a Wagtail-indexed model, installed only by bench/search_bench.py."""
