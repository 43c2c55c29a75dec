"""The application as a server loads it (cop_site.wsgi)."""

import gc
import importlib

import cop_site.wsgi


def test_loading_the_application_puts_what_it_loaded_out_of_the_garbage_collectors_reach():
    gc.unfreeze()
    try:
        importlib.reload(cop_site.wsgi)
        assert gc.get_freeze_count() > 10_000  # Django, Wagtail and the apps' objects, never walked again
        assert callable(cop_site.wsgi.application)
    finally:
        gc.unfreeze()
