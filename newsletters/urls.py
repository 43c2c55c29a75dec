from django.urls import path

from .views import preferences, unsubscribe

urlpatterns = [
    path("newsletters/preferences/", preferences.preferences, name="roundup_preferences"),
    path("newsletters/unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="roundup_unsubscribe"),
]
