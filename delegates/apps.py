from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegatesConfig(AppConfig):
    name = "delegates"
    verbose_name = _("Cities and delegates")

    def ready(self) -> None:
        # A missing or malformed encryption key stops the app here, with a clear message,
        # before anything could be stored in clear text.
        from delegates.encryption import check_keys

        check_keys()
        # Connects the receivers that note a session's second factor (allauth.mfa's signals).
        from delegates import second_factor  # noqa: F401
