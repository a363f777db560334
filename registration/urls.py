from django.urls import path

from registration import views

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.me, name="me"),
    path("me/register/", views.register, name="register"),
    path("me/edit/", views.me_edit, name="me_edit"),
    path("me/cancel/", views.me_cancel, name="me_cancel"),
    path("me/badge.pdf", views.my_badge, name="my_badge"),
    path("me/visa-letter.pdf", views.my_visa_letter, name="my_visa_letter"),
    path("me/data/", views.my_data, name="my_data"),
    path("me/data/export.zip", views.my_data_export, name="my_data_export"),
    path("me/data/erase/", views.my_data_erase, name="my_data_erase"),
    path(
        "privacy/delegates/<int:pk>/export.zip",
        views.delegate_data_export_for_secretariat,
        name="delegate_data_export",
    ),
    path("delegation/", views.delegation, name="delegation"),
    path("delegation/add/", views.delegation_add, name="delegation_add"),
    path("delegation/<int:pk>/edit/", views.delegation_edit, name="delegation_edit"),
    path("delegation/<int:pk>/cancel/", views.delegation_cancel, name="delegation_cancel"),
]
