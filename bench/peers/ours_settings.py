"""The product's production settings for the peer comparison, served on loopback over plain HTTP.

Only the static files storage differs: plain URLs instead of the hashed, compressed manifest, so nothing needs
collecting first (Spirit is served the same way). Nothing else changes what a page costs.
"""

from cop_site.settings.production import *  # noqa: F401,F403
from cop_site.settings.production import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
