from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from delegates.city_import import CityFileError, city_rows_from_file
from delegates.services import cities_import


class Command(BaseCommand):
    help = (
        "Create or update member cities from a CSV or XLSX file (columns: docs/city-import.md). "
        "Rows are matched by code. A file with any rejected row changes nothing, unless "
        "--partial is given."
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
            rows = city_rows_from_file(file)
        except CityFileError as error:
            raise CommandError(f"{file}: {error}") from error
        report = cities_import(rows=rows, partial=partial)
        for line, code, errors in report.rejected:
            self.stdout.write(self.style.ERROR(f"rejected line {line} ({code or 'no code'}):"))
            for error in errors:
                self.stdout.write(f"    {error}")
        summary = (
            f"created {len(report.created)}, updated {len(report.updated)}, "
            f"unchanged {len(report.unchanged)}, rejected {len(report.rejected)}"
        )
        if not report.applied:
            raise CommandError(
                f"{summary}. Nothing was changed because of the rejected rows; fix them, "
                "or run again with --partial to apply the others."
            )
        self.stdout.write(self.style.SUCCESS(summary))
