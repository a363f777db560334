"""The Celery app: Redis as the broker, settings from Django under the CELERY_ namespace."""

import os

from celery import Celery
from celery.signals import setup_logging

# Like gunicorn's entry point, the worker and beat run the production settings unless told.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "excom.settings.production")

app = Celery("excom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**_kwargs: object) -> None:
    """The worker and beat log through Django's LOGGING, as the web does, not Celery's own."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
