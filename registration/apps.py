from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "registration"
    verbose_name = _("Registration")

    def ready(self) -> None:
        # Registers the tasks with the Celery app in every process, so that services can queue
        # them by name (registration.services.worker) without importing them.
        from registration import tasks  # noqa: F401
