"""The application as a server loads it (cop_site.wsgi)."""

import gc
import importlib
import json
import os
import subprocess
import sys

import cop_site.wsgi


def test_loading_the_application_puts_what_it_loaded_out_of_the_garbage_collectors_reach():
    gc.unfreeze()
    try:
        importlib.reload(cop_site.wsgi)
        assert gc.get_freeze_count() > 10_000  # Django, Wagtail and the apps' objects, never walked again
        assert callable(cop_site.wsgi.application)
    finally:
        gc.unfreeze()


def test_loading_the_application_imports_what_its_first_requests_would_before_the_freeze():
    # In a fresh interpreter: this one has imported every view already.
    first_used = ["cop_site.urls", "communities.views.forum", "library.views.decks", "pptx", "pypdfium2",
                  "newsletters.views.archive", "search.backends.database", "search.backends.elastic"]
    script = (
        "import gc, json, sys; import cop_site.wsgi; "
        f"print(json.dumps([[name for name in {first_used!r} if name in sys.modules], gc.get_freeze_count()]))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "cop_site.settings.test",
                   "ELASTICSEARCH_URL": "http://127.0.0.1:9"}   # a client is made, nothing is asked of it
    result = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    imported, frozen = json.loads(result.stdout.splitlines()[-1])
    assert imported == first_used
    assert frozen > 200_000   # the libraries the deck views and the Elasticsearch client bring are frozen as well
