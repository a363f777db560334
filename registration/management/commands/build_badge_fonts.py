from django.core.management.base import BaseCommand, CommandParser

from registration.rendering.fonts import BADGE_FONTS, badge_fonts_build, badge_fonts_dir


class Command(BaseCommand):
    help = (
        "Make the compact Korean Noto fonts that badges use for Hangul (from Debian's "
        "fonts-noto-cjk) in static/badges/fonts/. Skips fonts that are up to date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Make them again.")

    def handle(self, *args, force: bool, **options) -> None:
        verbosity = options.get("verbosity", 1)
        written = badge_fonts_build(force=force)
        for path in written:
            if verbosity:
                self.stdout.write(f"made {path} ({path.stat().st_size // 1024} KB)")
        present = [f for f in BADGE_FONTS if (badge_fonts_dir() / f.file_name).exists()]
        if len(present) < len(BADGE_FONTS):
            self.stderr.write(
                "Some badge fonts could not be made (is fonts-noto-cjk installed?); badges use "
                "the full Noto Sans CJK KR instead, which is slower."
            )
        elif not written and verbosity:
            self.stdout.write("The badge fonts are up to date.")
