"""Member cities in and out of CSV and XLSX files: one django-import-export resource.

The admin's import and export and `manage.py import_cities` (through services.cities_import) use
the same resource, so a row is accepted or rejected, with the same words, whichever way the file
comes in.
The columns are documented in docs/city-import.md; docs/city-import-template.csv is a template.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tablib
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from import_export import fields, resources, widgets
from import_export.results import InvalidRow, Result, RowResult

from delegates.models import MemberCity, Membership, Region
from delegates.text import PlainTextFormMixin, spreadsheet_safe, spreadsheet_text

COLUMNS = (
    "code",
    "name_en",
    "name_local",
    "country",
    "region",
    "membership",
    "executive_committee",
    "delegation_quota",
    "focal_point_name",
    "focal_point_email",
    "focal_point_phone",
    "active",
)
REQUIRED_COLUMNS = ("code", "name_en", "country", "region")
TRUE_WORDS = {"1", "yes", "y", "true", "x", "예"}
FALSE_WORDS = {"", "0", "no", "n", "false", "아니오"}


class CityFileError(ValueError):
    """The file as a whole cannot be read (its kind, size, encoding or columns); the message is
    for the person who chose the file."""


def columns_check(headers: list[str]) -> None:
    """Refuse a header row that lacks a required column, names an unknown one or one twice."""
    missing = [name for name in REQUIRED_COLUMNS if name not in headers]
    unknown = [name or "?" for name in dict.fromkeys(headers) if name not in COLUMNS]
    twice = [name for name in dict.fromkeys(headers) if name and headers.count(name) > 1]
    if not (missing or unknown or twice):
        return
    problems = []
    if missing:
        problems.append(
            gettext("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}
        )
    if unknown:
        problems.append(
            gettext("Unknown column(s): %(columns)s.") % {"columns": ", ".join(unknown)}
        )
    if twice:
        problems.append(
            gettext("Column(s) named twice: %(columns)s.") % {"columns": ", ".join(twice)}
        )
    problems.append(
        gettext(
            "The first row names the columns; they can be: %(columns)s (%(required)s are required)."
        )
        % {"columns": ", ".join(COLUMNS), "required": ", ".join(REQUIRED_COLUMNS)}
    )
    raise CityFileError(" ".join(problems))


class CityRowForm(PlainTextFormMixin, forms.ModelForm):
    """One row of the file, checked with the same rules as the admin's city form."""

    region = forms.CharField()
    country = forms.CharField()
    executive_committee = forms.CharField(required=False)
    active = forms.CharField(required=False)
    delegation_quota = forms.IntegerField(min_value=0, max_value=500, required=False)
    membership = forms.CharField(required=False)

    class Meta:
        model = MemberCity
        fields = (
            "code",
            "name_en",
            "name_local",
            "focal_point_name",
            "focal_point_email",
            "focal_point_phone",
        )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().lower()

    def clean_country(self) -> str:
        value = self.cleaned_data["country"].strip()
        code = value.upper() if len(value) == 2 else countries.by_name(value)
        if not code or code not in dict(countries):
            raise forms.ValidationError(
                _("unknown country '%(value)s': use the two-letter ISO code, e.g. KR")
                % {"value": value}
            )
        return code

    def clean_region(self) -> Region:
        value = self.cleaned_data["region"].strip()
        region = (
            Region.objects.filter(code__iexact=value).first()
            or Region.objects.filter(name__iexact=value).first()
        )
        if region is None:
            known = ", ".join(Region.objects.values_list("code", flat=True))
            raise forms.ValidationError(
                _("unknown region '%(value)s' (known: %(known)s)")
                % {"value": value, "known": known}
            )
        return region

    def clean_membership(self) -> str:
        value = (self.cleaned_data.get("membership") or "").strip().lower().replace(" ", "_")
        value = value.replace("-", "_") or Membership.FULL
        if value not in Membership.values:
            raise forms.ValidationError(
                _("unknown membership '%(value)s' (one of: %(known)s)")
                % {"value": value, "known": ", ".join(Membership.values)}
            )
        return value

    def _yes_no(self, name: str, default: bool) -> bool:
        value = (self.cleaned_data.get(name) or "").strip().lower()
        if value == "":
            return default
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        raise forms.ValidationError(_("'%(value)s' is not yes or no") % {"value": value})

    def clean_executive_committee(self) -> bool:
        return self._yes_no("executive_committee", False)

    def clean_active(self) -> bool:
        return self._yes_no("active", True)

    def validate_unique(self) -> None:
        # The import upserts by code: an existing code is an update, not an error.
        pass

    def values(self) -> dict[str, Any]:
        """The checked row as model attributes (all but the code)."""
        data = self.cleaned_data
        quota = data.get("delegation_quota")
        return {
            "name_en": data["name_en"].strip(),
            "name_local": data["name_local"].strip(),
            "country": data["country"],
            "region": data["region"],
            "membership": data["membership"],
            "is_executive_committee": data["executive_committee"],
            "delegation_quota": 3 if quota is None else quota,
            "focal_point_name": data["focal_point_name"].strip(),
            "focal_point_email": data["focal_point_email"].strip().lower(),
            "focal_point_phone": data["focal_point_phone"].strip(),
            "is_active": data["active"],
        }


def cell_text(value: Any) -> str:
    """A cell as the import reads it: text, stripped, a spreadsheet's text mark taken off."""
    # Spreadsheets hand over numbers as floats (a quota of 4 arrives as 4.0) and empty cells as None.
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return spreadsheet_text(str(value).strip())


class ClassMarkedDiff(resources.Diff):
    """The import preview's changes marked with <ins>/<del> and no inline style (CSP: style-src
    'self'); static/staff/staff.css colours them."""

    def as_html(self) -> list[str]:
        from diff_match_patch import diff_match_patch

        tags = {1: "ins", -1: "del", 0: "span"}
        cells = []
        matcher = diff_match_patch()
        for before, after in zip(self.left, self.right, strict=False):
            if before != after and self.new:
                before = ""
            diff = matcher.diff_main(str(before or ""), str(after or ""))
            matcher.diff_cleanupSemantic(diff)
            cells.append(
                format_html_join(
                    "",
                    "<{}>{}</{}>",
                    (
                        (tags[op], linebreaksbr(text, autoescape=True), tags[op])
                        for op, text in diff
                    ),
                )
            )
        return cells


class MemberCityResource(resources.ModelResource):
    """The columns of docs/city-import.md, each row checked with CityRowForm and matched by code.

    Row numbers in the results are the file's lines (the header is line 1), so the admin's preview,
    the command's report and the duplicate-code message count alike. A file with any invalid row
    saves nothing unless the caller passes rollback_on_validation_errors=False.
    """

    code = fields.Field(attribute="code", column_name="code")
    name_en = fields.Field(attribute="name_en", column_name="name_en")
    name_local = fields.Field(attribute="name_local", column_name="name_local")
    country = fields.Field(attribute="country", column_name="country")
    region = fields.Field(
        attribute="region", column_name="region", widget=widgets.ForeignKeyWidget(Region, "code")
    )
    membership = fields.Field(attribute="membership", column_name="membership")
    executive_committee = fields.Field(
        attribute="is_executive_committee",
        column_name="executive_committee",
        widget=widgets.BooleanWidget(),
    )
    delegation_quota = fields.Field(attribute="delegation_quota", column_name="delegation_quota")
    focal_point_name = fields.Field(attribute="focal_point_name", column_name="focal_point_name")
    focal_point_email = fields.Field(attribute="focal_point_email", column_name="focal_point_email")
    focal_point_phone = fields.Field(attribute="focal_point_phone", column_name="focal_point_phone")
    active = fields.Field(
        attribute="is_active", column_name="active", widget=widgets.BooleanWidget()
    )

    class Meta:
        model = MemberCity
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ("code",)
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = False

    def __init__(
        self,
        *,
        demo: bool = False,
        progress: Callable[[int], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.demo = demo
        self.progress = progress
        self._lines: list[int] = []
        self._first_line_of_code: dict[str, int] = {}

    def get_diff_class(self) -> type[resources.Diff]:
        return ClassMarkedDiff

    def export_field(self, field: fields.Field, instance: MemberCity, **kwargs: Any) -> Any:
        value = super().export_field(field, instance, **kwargs)
        return spreadsheet_safe(value) if isinstance(value, str) else value

    def dehydrate_country(self, city: MemberCity) -> str:
        return city.country.code or ""

    def import_data(self, dataset: tablib.Dataset, **kwargs: Any) -> Result:
        # All or nothing unless the caller says otherwise, also for the admin's confirmed import
        # should a row have turned invalid since its preview.
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(dataset, **kwargs)

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        self._lines = []
        self._first_line_of_code = {}
        dataset.headers = [cell_text(name).lower() for name in dataset.headers or []]
        try:
            columns_check(dataset.headers)
        except CityFileError:
            # Without rows the result holds this one message instead of one per row.
            del dataset[0 : len(dataset)]
            raise
        # Empty rows (often left at the end of a spreadsheet) are no cities: drop them, but keep
        # the line number of every other row for the messages.
        blank = []
        for index, values in enumerate(dataset):
            if any(cell_text(value) for value in values):
                self._lines.append(index + 2)
            else:
                blank.append(index)
        for index in reversed(blank):
            del dataset[index]

    def _line(self, row_number: int) -> int:
        if 0 < row_number <= len(self._lines):
            return self._lines[row_number - 1]
        return row_number + 1

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        for name in list(row):
            row[name] = cell_text(row[name])
        row["code"] = row.get("code", "").lower()

    def import_instance(self, instance: MemberCity, row: dict[str, Any], **kwargs: Any) -> None:
        form = CityRowForm(data={column: cell_text(row.get(column)) for column in COLUMNS})
        errors: dict[str, list[str]] = {}
        if not form.is_valid():
            errors = {name: list(messages) for name, messages in form.errors.items()}
        code = row.get("code", "")
        line = self._line(int(kwargs.get("row_number") or 0))
        first = self._first_line_of_code.setdefault(code, line) if code else line
        if first != line:
            errors.setdefault("code", []).append(
                str(_("'%(code)s' is also on line %(line)d") % {"code": code, "line": first})
            )
        if errors:
            raise ValidationError(errors)
        instance.code = form.cleaned_data["code"]
        for name, value in form.values().items():
            setattr(instance, name, value)
        if self.demo:
            instance.is_demo = True

    def import_row(self, row: dict[str, Any], instance_loader: Any, **kwargs: Any) -> RowResult:
        result = super().import_row(row, instance_loader, **kwargs)
        if self.progress is not None:
            self.progress(int(kwargs.get("row_number") or 0))
        return result

    def before_save_instance(
        self, instance: MemberCity, row: dict[str, Any], **kwargs: Any
    ) -> None:
        # The city's history names who imported it also where no request is at hand (the
        # worker): import_data(user=...) passes the person on.
        if kwargs.get("user") is not None:
            instance._history_user = kwargs["user"]

    def after_import(self, dataset: tablib.Dataset, result: Result, **kwargs: Any) -> None:
        for row in result.invalid_rows:
            row.number = self._line(row.number)
        for row in result.error_rows:
            row.number = self._line(row.number)
            for error in row.errors:
                error.number = row.number


def row_errors(row: InvalidRow) -> list[tuple[str, str]]:
    """An invalid row's errors as (column, message), "row" for those of no one column."""
    return [
        ("row" if name == NON_FIELD_ERRORS else name, str(message))
        for name, messages in row.error_dict.items()
        for message in messages
    ]
