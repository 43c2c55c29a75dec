from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = "Resource library"

    def ready(self):
        from . import signals

        signals.connect()
