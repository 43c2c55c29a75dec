"""Tests: only what tests need differs (fast hashing, immediate tasks, outbox email)."""

from .base import *  # noqa: F401,F403
from .base import MEDIA_ROOT

SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Each run's own cache, whatever REDIS_URL the shell has: counters and keys left by another run must not count.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = MEDIA_ROOT.parent / "test-media"
PRIVATE_MEDIA_ROOT = MEDIA_ROOT / "private"
ACCOUNT_RATE_LIMITS = False
WAGTAILADMIN_BASE_URL = "http://testserver"
