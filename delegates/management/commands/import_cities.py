from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from delegates.cities import CityFileError
from delegates.city_files import city_dataset
from delegates.services import cities_import


class Command(BaseCommand):
    help = (
        "Create or update member cities from a CSV or XLSX file (columns: docs/city-import.md). "
        "Rows are matched by code. A file with any rejected row changes nothing, unless "
        "--partial is given. The admin's limits apply (CITY_IMPORT_* settings: file size, rows, "
        "an XLSX's unpacked size)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--partial",
            action="store_true",
            help="Apply the good rows even when some rows are rejected.",
        )

    def handle(self, *args, file: Path, partial: bool, **options) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            report = cities_import(city_dataset(file), partial=partial)
        except CityFileError as error:
            raise CommandError(f"{file}: {error}") from error
        for row in report.rejected:
            self.stdout.write(
                self.style.ERROR(f"rejected line {row.line} ({row.code or 'no code'}):")
            )
            for error in row.errors:
                self.stdout.write(f"    {error}")
        if not report.applied:
            raise CommandError(
                f"{report.summary}. Nothing was changed because of the rejected rows; fix them, "
                "or run again with --partial to apply the others."
            )
        self.stdout.write(self.style.SUCCESS(report.summary))
