"""Production's settings, for the page and throughput benchmarks on loopback (bench/pages_bench.py, throughput.py).

What differs is only what a benchmark on one machine needs: a throwaway secret (shared with the gunicorn workers
through the environment, so a session made by the benchmark is valid in every worker), no HTTPS redirect (no proxy
in front), the test client's host, persistent database connections (as a production deployment sets
DATABASE_CONN_MAX_AGE), and no per-minute limits on searching and posting: every benchmark request comes from one
address and a few members, and the limits would answer 429 instead of the page being measured.
"""

import os
import secrets

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "600")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from cop_site.settings.production import *  # noqa: E402,F401,F403

UNLIMITED = 10**9
FORUM_POSTS_PER_MINUTE = UNLIMITED
SEARCH_REQUESTS_PER_MINUTE = UNLIMITED
SEARCH_SUGGESTIONS_PER_MINUTE = UNLIMITED
