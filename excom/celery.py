"""The Celery app: Redis as the broker, settings from Django under the CELERY_ namespace."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "excom.settings.local")

app = Celery("excom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
