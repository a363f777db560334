from django.urls import path

from registration.views import desk as desk_views

urlpatterns = [
    path("", desk_views.desk, name="desk"),
    path("api/scan/", desk_views.api_scan, name="desk_scan"),
    path("api/check-in/", desk_views.api_check_in, name="desk_check_in"),
    path("api/print/", desk_views.api_print, name="desk_print"),
    path("api/search/", desk_views.api_search, name="desk_search"),
    path("api/counters/", desk_views.api_counters, name="desk_counters"),
    path("api/walk-in/", desk_views.api_walk_in, name="desk_walk_in"),
    path("badge/<int:pk>.pdf", desk_views.badge_pdf, name="desk_badge"),
]
