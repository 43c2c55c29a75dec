from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import Sitemap as PageSitemap
from wagtail.documents import urls as wagtaildocs_urls

from communities.urls import profile_urls
from cop_site.accounts import SignupView
from library.sitemaps import DeckSitemap

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    *profile_urls,
    path("accounts/signup/", SignupView.as_view(), name="account_signup"),  # before allauth's, which it replaces
    path("accounts/", include("allauth.urls")),
    path("search/", include("search.urls")),
    path("", include("newsletters.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": PageSitemap, "decks": DeckSitemap}}, name="sitemap"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
