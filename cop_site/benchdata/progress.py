"""One-line progress for long phases, on stderr, redrawn in place with a carriage return."""

import sys
import time

REDRAW_EVERY = 0.2  # seconds
BAR_WIDTH = 24


class Progress:
    """`with Progress("Posts", total) as bar: bar.advance(n)` draws

        Posts      [#########---------------]  412,000 / 1,000,000  41%  18s

    and leaves the finished line with its time. Silent when `stream` is None (verbosity 0)."""

    def __init__(self, label, total, stream=sys.stderr):
        self.label, self.total, self.stream = label, max(total, 0), stream
        self.done = 0
        self.started = self.drawn_at = time.monotonic()

    def __enter__(self):
        self._draw()
        return self

    def __exit__(self, *exc_info):
        self.done = self.total if exc_info[0] is None else self.done
        self._draw(final=True)

    @property
    def elapsed(self):
        return time.monotonic() - self.started

    def advance(self, amount=1):
        self.done += amount
        now = time.monotonic()
        if now - self.drawn_at >= REDRAW_EVERY:
            self.drawn_at = now
            self._draw()

    def _draw(self, final=False):
        if self.stream is None:
            return
        share = self.done / self.total if self.total else 1.0
        filled = int(BAR_WIDTH * min(share, 1.0))
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        line = (f"\r  {self.label:<22} [{bar}] {self.done:>10,} / {self.total:<10,} {share:>4.0%} "
                f"{self.elapsed:>6.0f}s")
        self.stream.write(line + ("\n" if final else ""))
        self.stream.flush()
