"""Work handed to the Celery worker once the current transaction commits.

Services name the task instead of importing it (tasks import services, never the reverse); the
task's base (`registration.tasks.AfterCommitTask`) waits for the commit and turns a broker that
is down into a log line, never an error for the person.
"""

from __future__ import annotations

from celery import current_app

SEND_EMAIL = "registration.tasks.send_outbox_email"
RENDER_BADGE = "registration.tasks.render_badge"
BUILD_BADGE_SHEET = "registration.tasks.build_badge_sheet"
CHECK_CITY_IMPORT = "registration.tasks.check_city_import"
APPLY_CITY_IMPORT = "registration.tasks.apply_city_import"


def task_queue_on_commit(task_name: str, object_id: int) -> None:
    """Queue `task_name` for the row `object_id` after the surrounding transaction commits."""
    current_app.tasks[task_name].delay_on_commit(object_id)
