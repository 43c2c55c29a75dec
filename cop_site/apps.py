from django.apps import AppConfig


class CopSiteConfig(AppConfig):
    name = "cop_site"
    verbose_name = "Site"
