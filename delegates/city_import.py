"""Reading member cities from a CSV or XLSX file into checked rows.

The columns are documented in docs/city-import.md; docs/city-import-template.csv is a template.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from delegates.models import MemberCity, Membership, Region

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


class CityRowForm(forms.ModelForm):
    """One row, checked with the same rules as the admin."""

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


@dataclass
class CityRow:
    line: int
    code: str
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


class CityFileError(ValueError):
    """The file as a whole cannot be read (wrong format, missing columns)."""


def _read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        if not rows:
            raise CityFileError("the file is empty")
        header = [str(cell or "").strip().lower() for cell in rows[0]]
        records = []
        for number, cells in enumerate(rows[1:], start=2):
            values = ["" if cell is None else str(cell).strip() for cell in cells]
            if any(values):
                records.append((number, dict(zip(header, values, strict=False))))
        return _check_header(header, records)
    if suffix in {".csv", ".txt"}:
        text = path.read_bytes().decode("utf-8-sig")
        reader = csv.DictReader(io.StringIO(text))
        header = [name.strip().lower() for name in reader.fieldnames or []]
        reader.fieldnames = header
        records = [
            (reader.line_num, {k: (v or "").strip() for k, v in row.items() if k})
            for row in reader
            if any((v or "").strip() for v in row.values() if isinstance(v, str))
        ]
        return _check_header(header, records)
    raise CityFileError(f"cannot read '{path.suffix}' files: use .csv or .xlsx")


def _check_header(
    header: list[str], records: list[tuple[int, dict[str, str]]]
) -> list[tuple[int, dict[str, str]]]:
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise CityFileError(f"missing column(s): {', '.join(missing)}")
    return records


def city_rows_from_file(path: Path) -> list[CityRow]:
    """Every data row of the file, checked; a row's errors say what is wrong in plain words."""
    rows: list[CityRow] = []
    seen: dict[str, int] = {}
    for line, record in _read_rows(path):
        form = CityRowForm(data={column: record.get(column, "") for column in COLUMNS})
        row = CityRow(line=line, code=record.get("code", "").strip().lower())
        if form.is_valid():
            row.values = form.values()
        else:
            for name, messages in form.errors.items():
                label = name if name != "__all__" else "row"
                row.errors.extend(f"{label}: {message}" for message in messages)
        if row.code and row.code in seen:
            row.errors.append(f"code: '{row.code}' is also on line {seen[row.code]}")
        elif row.code:
            seen[row.code] = line
        rows.append(row)
    return rows
