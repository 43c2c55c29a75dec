import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings.production")
application = get_wsgi_application()

# What loading the application made (Django, Wagtail, every app's code and models: some 190,000 objects) lasts as
# long as the process, so it is moved out of the garbage collector's reach: otherwise every full collection walks it
# all again, a pause of about 100 ms in the middle of some request (measured on the library page, BENCHMARKS.md).
# Under a forking server it also keeps those pages shared between the workers.
gc.freeze()
