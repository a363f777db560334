from django.urls import path

from registration.views import privacy

urlpatterns = [
    path("me/data/", privacy.my_data, name="my_data"),
    path("me/data/export.zip", privacy.my_data_export, name="my_data_export"),
    path("me/data/erase/", privacy.my_data_erase, name="my_data_erase"),
    path(
        "privacy/delegates/<int:pk>/export.zip",
        privacy.delegate_data_export_for_secretariat,
        name="delegate_data_export",
    ),
]
