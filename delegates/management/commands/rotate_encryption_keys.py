from django.core.management.base import BaseCommand
from django.db import transaction

from delegates.models import PASSPORT_FIELDS, Delegate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored passport detail with the newest key (the first one in "
        "FIELD_ENCRYPTION_KEYS). Run it after putting a new key first; then the old keys can go."
    )

    def handle(self, *args, **options) -> None:
        count = 0
        with_passport = Delegate.objects.exclude(passport_number="", passport_name="").only(
            "pk", *PASSPORT_FIELDS
        )
        for delegate in with_passport.iterator(chunk_size=500):
            # Reading decrypts with whichever key fits; writing encrypts with the newest.
            with transaction.atomic():
                Delegate.objects.filter(pk=delegate.pk).update(
                    **{name: getattr(delegate, name) for name in PASSPORT_FIELDS}
                )
            count += 1
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted the passport details of {count} people.")
        )
