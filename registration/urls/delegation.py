from django.urls import path

from registration.views import delegation, invitations

urlpatterns = [
    path("", delegation.delegation, name="delegation"),
    path("add/", delegation.delegation_add, name="delegation_add"),
    path("<int:pk>/edit/", delegation.delegation_edit, name="delegation_edit"),
    path("<int:pk>/cancel/", delegation.delegation_cancel, name="delegation_cancel"),
    path("invitation/<str:token>/", invitations.head_invitation, name="head_invitation"),
]
