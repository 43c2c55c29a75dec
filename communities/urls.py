from django.urls import path

from . import views

profile_urls = [
    path("members/<str:username>/", views.profile_detail, name="profile_detail"),
    path("accounts/profile/", views.profile_edit, name="profile_edit"),
]
