from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "site_search"
    verbose_name = "Search"

    def ready(self):
        from . import signals

        signals.connect()
