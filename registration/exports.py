"""CSV and XLSX files for the secretariat: selected delegates and the operational lists.

Built with tablib (openpyxl writes the XLSX). No list carries passport details except the visa
letter list, which the views offer to the Secretariat group only and log as a passport access.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import tablib
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from delegates.text import spreadsheet_safe
from registration.models import Event, Registration

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date | time):
        return value.isoformat(timespec="minutes") if isinstance(value, time) else value.isoformat()
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return spreadsheet_safe(str(value))


def table_bytes(
    *, headers: Sequence[Any], rows: Iterable[Sequence[Any]], fmt: str, title: str = ""
) -> bytes:
    """A table as CSV (UTF-8 with a BOM, so spreadsheets read Hangul right) or XLSX bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    dataset = tablib.Dataset(headers=[str(h) for h in headers], title=(title or "list")[:31])
    for row in rows:
        dataset.append([_cell(value) for value in row])
    if fmt == "csv":
        return ("\ufeff" + dataset.export("csv")).encode("utf-8")
    return dataset.export("xlsx")


def table_response(
    *, headers: Sequence[Any], rows: Iterable[Sequence[Any]], fmt: str, name: str
) -> HttpResponse:
    content = table_bytes(headers=headers, rows=rows, fmt=fmt, title=name)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}-{stamp}.{fmt}"'
    return response


# Columns


def _city(registration: Registration) -> str:
    return registration.delegate.city_name


def _country(registration: Registration) -> str:
    country = registration.delegate.country
    return country.name if country else ""


def _name(registration: Registration) -> str:
    return registration.delegate.full_name


@dataclass(frozen=True)
class Column:
    header: Any
    value: Callable[[Registration], Any]


DELEGATE_COLUMNS = (
    Column(_("ID"), lambda r: r.pk),
    Column(_("family name"), lambda r: r.delegate.family_name),
    Column(_("given name"), lambda r: r.delegate.given_name),
    Column(_("name in own script"), lambda r: r.delegate.native_name),
    Column(_("email"), lambda r: r.delegate.email),
    Column(_("organisation"), lambda r: r.delegate.organisation),
    Column(_("job title"), lambda r: r.delegate.job_title),
    Column(_("city"), _city),
    Column(_("country"), _country),
    Column(_("role"), lambda r: r.get_delegation_role_display()),
    Column(_("category"), lambda r: r.get_category_display()),
    Column(_("state"), lambda r: r.get_state_display()),
    Column(_("submitted"), lambda r: r.submitted_at),
    Column(_("arrival"), lambda r: r.arrival_date),
    Column(_("hotel"), lambda r: r.hotel_name),
    Column(_("dietary needs"), lambda r: r.delegate.get_diet_display() if r.delegate.diet else ""),
    Column(_("checked in"), lambda r: r.checked_in_at),
)


def rows_for(columns: Sequence[Column], registrations: Iterable[Registration]) -> list[list[Any]]:
    return [[column.value(r) for column in columns] for r in registrations]


def delegates_response(*, registrations: Iterable[Registration], fmt: str) -> HttpResponse:
    return table_response(
        headers=[c.header for c in DELEGATE_COLUMNS],
        rows=rows_for(DELEGATE_COLUMNS, registrations),
        fmt=fmt,
        name=str(_("delegates")),
    )


@dataclass(frozen=True)
class OperationalList:
    slug: str
    title: Any
    description: Any
    columns: tuple[Column, ...]
    secretariat_passports: bool = False


def _diet(r: Registration) -> str:
    return r.delegate.get_diet_display() if r.delegate.diet else ""


OPERATIONAL_LISTS: dict[str, OperationalList] = {
    lst.slug: lst
    for lst in (
        OperationalList(
            "catering",
            _("Catering"),
            _("Confirmed delegates with dietary needs, by need."),
            (
                Column(_("dietary needs"), _diet),
                Column(_("details"), lambda r: r.delegate.dietary_notes),
                Column(_("name"), _name),
                Column(_("city"), _city),
                Column(_("category"), lambda r: r.get_category_display()),
            ),
        ),
        OperationalList(
            "rooming",
            _("Hotel rooming list"),
            _("Confirmed delegates who asked for a room, by hotel and arrival."),
            (
                Column(_("hotel"), lambda r: r.hotel_name),
                Column(_("family name"), lambda r: r.delegate.family_name),
                Column(_("given name"), lambda r: r.delegate.given_name),
                Column(_("city"), _city),
                Column(_("country"), _country),
                Column(_("check-in (arrival)"), lambda r: r.arrival_date),
                Column(_("check-out (departure)"), lambda r: r.departure_date),
                Column(_("email"), lambda r: r.delegate.email),
                Column(_("accessibility needs"), lambda r: r.delegate.accessibility_needs),
            ),
        ),
        OperationalList(
            "pickup",
            _("Airport pick-up schedule"),
            _("Confirmed delegates by arrival day and time."),
            (
                Column(_("arrival date"), lambda r: r.arrival_date),
                Column(_("arrival time"), lambda r: r.arrival_time),
                Column(_("flight"), lambda r: r.arrival_flight),
                Column(_("name"), _name),
                Column(_("city"), _city),
                Column(_("phone"), lambda r: r.delegate.phone),
                Column(_("hotel"), lambda r: r.hotel_name),
                Column(_("category"), lambda r: r.get_category_display()),
            ),
        ),
        OperationalList(
            "visa-letters",
            _("Visa letter list"),
            _("Delegates who asked for a visa letter, with passport details. Secretariat only."),
            (
                Column(_("name"), _name),
                Column(_("city"), _city),
                Column(_("state"), lambda r: r.get_state_display()),
                Column(_("name in passport"), lambda r: r.delegate.passport_name),
                Column(_("passport number"), lambda r: r.delegate.passport_number),
                Column(_("nationality"), lambda r: r.delegate.passport_nationality),
                Column(_("date of birth"), lambda r: r.delegate.passport_date_of_birth),
                Column(_("passport expiry date"), lambda r: r.delegate.passport_expiry),
                Column(
                    _("letter issued"),
                    lambda r: getattr(getattr(r, "visa_letter", None), "reference", ""),
                ),
            ),
            secretariat_passports=True,
        ),
        OperationalList(
            "badge-collection",
            _("Badge collection by city"),
            _("Confirmed delegates by city, to hand printed badges to each delegation."),
            (
                Column(_("city"), _city),
                Column(_("country"), _country),
                Column(_("family name"), lambda r: r.delegate.family_name),
                Column(_("given name"), lambda r: r.delegate.given_name),
                Column(_("name in own script"), lambda r: r.delegate.native_name),
                Column(_("category"), lambda r: r.get_category_display()),
                Column(_("role"), lambda r: r.get_delegation_role_display()),
                Column(_("collected (signature)"), lambda r: ""),
            ),
        ),
    )
}


def operational_list_response(
    *, lst: OperationalList, registrations: Iterable[Registration], fmt: str, event: Event
) -> HttpResponse:
    return table_response(
        headers=[c.header for c in lst.columns],
        rows=rows_for(lst.columns, registrations),
        fmt=fmt,
        name=f"{event.slug}-{lst.slug}",
    )
