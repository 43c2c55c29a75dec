"""The load test's server settings: the benchmarks' production settings (bench/settings.py), plus what a browser-like
client on plain HTTP needs.

bench/settings.py already keeps production's behaviour (DEBUG off, whitenoise with its manifest, persistent
connections, the lock timeout) with no HTTPS redirect and no per-minute limits on posting and searching. Here,
besides: the session and CSRF cookies are not marked Secure (there is no TLS proxy in front of gunicorn, and a
client keeps Secure cookies for HTTPS only), sign-ins per IP address are not limited (every simulated member signs in
from 127.0.0.1), and static files are collected into the run's own folder (LOAD_STATIC_ROOT, set by run.py).
"""

import os
from pathlib import Path

from bench.settings import *  # noqa: F401,F403
from bench.settings import ACCOUNT_RATE_LIMITS, UNLIMITED

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": f"{UNLIMITED}/m/ip"}
STATIC_ROOT = Path(os.environ["LOAD_STATIC_ROOT"])
