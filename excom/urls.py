from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from excom.health import healthz
from registration.access import second_factor_continue
from registration.views.privacy import delegate_photo

# The admin's own login form knows no rate limit and no second factor: sign in through allauth's.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Photos are served through a checked view, never as public files.
    path("media/photos/<str:name>", delegate_photo, name="delegate_photo"),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    path(settings.ADMIN_URL, admin.site.urls),
    path("accounts/2fa/continue/", second_factor_continue, name="second_factor_continue"),
    path("accounts/", include("allauth.urls")),
    path("desk/", include("registration.urls.desk")),
    path("staff/", include("registration.urls.staff")),
    path("delegation/", include("registration.urls.delegation")),
    path("", include("registration.urls.privacy")),
    path("", include("registration.urls.delegate")),
    prefix_default_language=False,
)
