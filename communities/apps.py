from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"

    def ready(self):
        from . import signals  # noqa: F401
