from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from excom.health import healthz
from registration.views.privacy import delegate_photo

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Photos are served through a checked view, never as public files.
    path("media/photos/<str:name>", delegate_photo, name="delegate_photo"),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    path(settings.ADMIN_URL, admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("desk/", include("registration.desk_urls")),
    path("staff/", include("registration.urls.staff")),
    path("delegation/", include("registration.urls.delegation")),
    path("", include("registration.urls.privacy")),
    path("", include("registration.urls.delegate")),
    prefix_default_language=False,
)
