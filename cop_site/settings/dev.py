"""Local development: `make run`. SQLite, console email, database task queue."""

from .base import *  # noqa: F401,F403
from .base import ALLOWED_HOSTS, SECRET_KEY

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-used-in-production"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost"]
