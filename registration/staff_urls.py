from django.urls import path

from registration import staff_views

urlpatterns = [
    path("", staff_views.dashboard, name="staff_dashboard"),
    path("sheets/<int:pk>/", staff_views.sheet_job, name="staff_sheet"),
    path("sheets/<int:pk>/status/", staff_views.sheet_job_status, name="staff_sheet_status"),
    path("sheets/<int:pk>/download/", staff_views.sheet_job_download, name="staff_sheet_download"),
    path("lists/", staff_views.lists, name="staff_lists"),
    path("lists/<slug:slug>.<str:fmt>", staff_views.list_download, name="staff_list_download"),
    path(
        "letters/<int:registration_id>/",
        staff_views.visa_letter_download,
        name="staff_visa_letter",
    ),
]
