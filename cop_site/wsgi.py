import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings.production")
application = get_wsgi_application()


def load_what_requests_would():
    """Import now what serving requests imports on first use: the URLconf and its views, the views pages delegate to
    (the deck views bring python-pptx, pypdfium2 and Pillow), and the search backends with their clients
    (elasticsearch): some 50,000 objects, which the freeze below then covers too."""
    from search.backends import configured_backend_names, get_backend

    from .routing import import_delegated_views

    import_module(settings.ROOT_URLCONF)
    import_delegated_views()
    for name in configured_backend_names():
        get_backend(name)


load_what_requests_would()
# What loading the application made (Django, Wagtail, every app's code and models: some 190,000 objects) lasts as
# long as the process, so it is moved out of the garbage collector's reach: otherwise every full collection walks it
# all again, a pause of about 100 ms in the middle of some request (measured on the library page, BENCHMARKS.md).
# Under a forking server it also keeps those pages shared between the workers.
gc.freeze()
