from django.core.management.base import BaseCommand, CommandParser

from registration.models import Event
from registration.services.privacy.retention import (
    events_past_retention,
    personal_data_purge,
    personal_data_purge_plan,
)


class Command(BaseCommand):
    help = (
        "Erase passport details, photos, dietary and accessibility needs, phone numbers and "
        "flight details of the delegates of every event past its retention date. Anonymous "
        "counts stay. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what would go.")
        parser.add_argument("--event", help="Only this event (its short name).")

    def handle(self, *args, dry_run: bool, event: str | None, **options) -> None:
        events = events_past_retention()
        if event:
            events = [e for e in events if e.slug == event]
            if not events and Event.objects.filter(slug=event).exists():
                self.stdout.write(f"{event}: its retention date has not passed; nothing to do.")
                return
        if not events:
            self.stdout.write("No event is past its retention date.")
            return
        for past in events:
            plan = personal_data_purge_plan(event=past)
            header = f"{past.name} (kept until {past.personal_data_kept_until:%Y-%m-%d})"
            if plan.is_empty:
                self.stdout.write(f"{header}: nothing left to erase.")
                continue
            counts = ", ".join(f"{name} {count}" for name, count in sorted(plan.counts().items()))
            if dry_run:
                self.stdout.write(
                    f"{header}: would erase from {len(plan.people)} people and "
                    f"{len(plan.registrations)} registrations: {counts}"
                )
                continue
            personal_data_purge(event=past)
            self.stdout.write(
                self.style.SUCCESS(
                    f"{header}: erased from {len(plan.people)} people and "
                    f"{len(plan.registrations)} registrations: {counts}"
                )
            )
