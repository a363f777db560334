from django.urls import path

from registration.views import staff

urlpatterns = [
    path("", staff.dashboard, name="staff_dashboard"),
    path("sheets/<int:pk>/", staff.sheet_job, name="staff_sheet"),
    path("sheets/<int:pk>/status/", staff.sheet_job_status, name="staff_sheet_status"),
    path("sheets/<int:pk>/download/", staff.sheet_job_download, name="staff_sheet_download"),
    path("lists/", staff.lists, name="staff_lists"),
    path("lists/<slug:slug>.<str:fmt>", staff.list_download, name="staff_list_download"),
    path(
        "letters/<int:registration_id>/",
        staff.visa_letter_download,
        name="staff_visa_letter",
    ),
]
