from django.urls import path

from .views import member_home, notifications, profiles

profile_urls = [
    path("members/<str:username>/", profiles.profile_detail, name="profile_detail"),
    path("accounts/profile/", profiles.profile_edit, name="profile_edit"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/<int:pk>/", notifications.notification_open, name="notification_open"),
    path("my/", member_home.member_home, name="member_home"),
]
