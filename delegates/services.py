"""Writes for people and cities."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import tablib
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.translation import gettext as _
from import_export.results import Result, RowResult

from delegates.cities import CityFileError, MemberCityResource, row_errors
from delegates.files import file_write_on_commit, files_delete_on_commit
from delegates.models import (
    PASSPORT_FIELDS,
    Delegate,
    MemberCity,
    PassportAccessLog,
    StaffActionLog,
    User,
    photo_upload_path,
)
from delegates.selectors import acting_user

# What a delegate fills in about themselves (the photo is handled on its own).
DELEGATE_FIELDS = (
    "honorific",
    "given_name",
    "family_name",
    "native_name",
    "job_title",
    "organisation",
    "city",
    "other_city",
    "other_country",
    "phone",
    "language",
    *PASSPORT_FIELDS,
    "diet",
    "dietary_notes",
    "accessibility_needs",
)


def change_as_text(value: Any) -> Any:
    """A value as the change history stores it: JSON-friendly, dates and objects as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def delegate_save(
    *,
    delegate: Delegate | None,
    email: str,
    data: dict[str, Any],
    photo: ContentFile | None = None,
    user: User | None = None,
    registered_by: User | None = None,
) -> tuple[Delegate, dict[str, list[Any]]]:
    """Create or update a person. Returns the delegate and what changed (field: [old, new])."""
    delegate = delegate or Delegate(email=email.strip().lower(), registered_by=registered_by)
    if user is not None and delegate.user_id is None:
        delegate.user = user
    changes: dict[str, list[Any]] = {}
    for field in DELEGATE_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field == "city" and value is not None and not hasattr(value, "pk"):
            value = None
        old = getattr(delegate, field)
        if old != value:
            if delegate.pk is not None:
                # Passport details are never copied into the audit trail.
                changes[field] = (
                    ["…", "…"]
                    if field in PASSPORT_FIELDS
                    else [change_as_text(old), change_as_text(value)]
                )
            setattr(delegate, field, value)
    if delegate.city_id is not None:
        delegate.other_city = ""
        delegate.other_country = ""
    if not data.get("visa_letter_wanted", True):
        for field in PASSPORT_FIELDS:
            setattr(delegate, field, None if field.endswith(("birth", "expiry")) else "")
    old_photo_name = delegate.photo.name if delegate.photo else ""
    with transaction.atomic():
        if photo is not None:
            delegate.photo.name = photo_upload_path(delegate, photo.name)
            file_write_on_commit(delegate.photo.storage, delegate.photo.name, photo)
            if delegate.pk is not None:
                changes["photo"] = ["…", "…"]
        delegate.full_clean(exclude=["user", "registered_by", "photo"], validate_unique=False)
        delegate.search_text = delegate.folded_search_text()
        delegate.save()
        if photo is not None:
            files_delete_on_commit([(delegate.photo.storage, old_photo_name)])
    return delegate, changes


def passport_access_log(*, delegate_ids: Iterable[int], viewer: User | None, place: str) -> None:
    """Note that `viewer` saw these delegates' passport details in full, at `place`.

    The only writer of PassportAccessLog: every page, download and export that shows passport
    details decrypted calls it.
    """
    PassportAccessLog.objects.bulk_create(
        PassportAccessLog(delegate_id=delegate_id, viewer=acting_user(viewer), place=place)
        for delegate_id in dict.fromkeys(delegate_ids)
    )


def staff_action_log(
    *,
    actor: User | None,
    action: str,
    model: type[models.Model] | models.Model,
    object_ids: Iterable[Any] = (),
    detail: str = "",
    history_id: int | None = None,
) -> StaffActionLog:
    """Note that `actor` did `action` (StaffActionLog.Action) to these records of `model`.

    The only writer of StaffActionLog: every export, download, import, erasure and admin form
    save of people's data calls it. `detail` names a file or the fields changed, never a value.
    """
    return StaffActionLog.objects.create(
        actor=acting_user(actor),
        action=action,
        model=model._meta.label_lower,
        object_ids=[int(pk) if str(pk).isdigit() else str(pk) for pk in dict.fromkeys(object_ids)],
        detail=detail[:300],
        history_id=history_id,
    )


@dataclass(frozen=True)
class RejectedRow:
    line: int
    code: str
    errors: list[str]


@dataclass
class CityImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = dataclass_field(default_factory=list)
    applied: bool = False

    @property
    def summary(self) -> str:
        return (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"rejected {len(self.rejected)}"
        )


def import_report(result: Result) -> dict[str, Any]:
    """An import's result as plain data (JSON): the preview's rows and every rejected row.

    `rows` are the accepted rows with their marked changes (ClassMarkedDiff's escaped HTML);
    `rejected` the refused ones by line, each message after its column's name as the command
    prints it; `file_errors` what refused the file as a whole.
    """
    code_at = result.diff_headers.index("code") if "code" in result.diff_headers else None
    rejected = [
        {
            "line": row.number,
            "code": str(row.values[code_at] or "") if code_at is not None else "",
            "errors": [list(pair) for pair in row_errors(row)],
            "values": ["" if value is None else str(value) for value in row.values],
        }
        for row in result.invalid_rows
    ]
    rejected += [
        {
            "line": row.number,
            "code": str((row.errors[0].row or {}).get("code") or "") if row.errors else "",
            "errors": [["row", str(error.error)] for error in row.errors],
            "values": [],
        }
        for row in result.error_rows
    ]
    return {
        "headers": list(result.diff_headers),
        "rows": [
            {"type": row.import_type, "cells": [str(cell) for cell in row.diff or []]}
            for row in result.valid_rows()
        ],
        "rejected": sorted(rejected, key=lambda row: row["line"]),
        "file_errors": [str(error.error) for error in result.base_errors],
        "totals": {
            "new": result.totals[RowResult.IMPORT_TYPE_NEW],
            "update": result.totals[RowResult.IMPORT_TYPE_UPDATE],
            "skip": result.totals[RowResult.IMPORT_TYPE_SKIP],
            "rejected": len(rejected),
        },
    }


def _rejected(result: Result) -> list[RejectedRow]:
    return [
        RejectedRow(
            line=row["line"],
            code=row["code"],
            errors=[f"{name}: {message}" for name, message in row["errors"]],
        )
        for row in import_report(result)["rejected"]
    ]


def cities_import(
    dataset: tablib.Dataset, *, partial: bool = False, demo: bool = False
) -> CityImportReport:
    """Create or update member cities by code from a file's rows (delegates.city_files).

    A dry run first finds every rejected row; with any, nothing changes unless `partial` is set,
    which applies the good rows. `demo` marks the cities as demo data. Raises CityFileError when
    the file as a whole is wrong (missing columns).
    """
    preview = MemberCityResource(demo=demo).import_data(copy.deepcopy(dataset), dry_run=True)
    if preview.base_errors:
        raise CityFileError("; ".join(str(error.error) for error in preview.base_errors))
    report = CityImportReport(rejected=_rejected(preview))
    if report.rejected and not partial:
        return report
    result = MemberCityResource(demo=demo).import_data(
        dataset, rollback_on_validation_errors=not partial
    )
    report = CityImportReport(rejected=_rejected(result))
    if result.has_errors() or (report.rejected and not partial):
        return report
    report.created = result.totals[RowResult.IMPORT_TYPE_NEW]
    report.updated = result.totals[RowResult.IMPORT_TYPE_UPDATE]
    report.unchanged = result.totals[RowResult.IMPORT_TYPE_SKIP]
    report.applied = True
    return report


def cities_preview(
    dataset: tablib.Dataset, *, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """What importing `dataset` would do, saving nothing: import_report's data."""
    result = MemberCityResource(progress=progress).import_data(dataset, dry_run=True)
    return import_report(result)


def cities_apply(
    dataset: tablib.Dataset, *, user: User | None, progress: Callable[[int], None] | None = None
) -> tuple[bool, dict[str, Any]]:
    """Import `dataset` all or nothing: (applied, import_report's data).

    Any rejected row rolls every row back, also one that turned invalid since its preview.
    The cities' history and the admin's log name `user`.
    """
    result = MemberCityResource(progress=progress).import_data(
        dataset,
        rollback_on_validation_errors=True,
        retain_instance_in_row_result=True,
        user=user,
    )
    applied = not (result.has_errors() or result.has_validation_errors())
    if applied and user is not None:
        for import_type, flag in (
            (RowResult.IMPORT_TYPE_NEW, ADDITION),
            (RowResult.IMPORT_TYPE_UPDATE, CHANGE),
        ):
            cities = [row.instance for row in result.rows if row.import_type == import_type]
            if cities:
                LogEntry.objects.log_actions(
                    user.pk,
                    cities,
                    flag,
                    change_message=_("Imported from a file."),
                    single_object=False,
                )
    if applied:
        # Each city's History has its changed values; the log says who imported, and which.
        changed = (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE)
        created, updated = (result.totals[kind] for kind in changed)
        staff_action_log(
            actor=user,
            action=StaffActionLog.Action.IMPORTED,
            model=MemberCity,
            object_ids=[row.object_id for row in result.rows if row.import_type in changed],
            detail=f"created {created}, updated {updated}",
        )
    return applied, import_report(result)


def delegate_link_login(*, user: User, email: str) -> Delegate | None:
    """Give a person registered by their head of delegation the login that proved their email."""
    with transaction.atomic():
        if Delegate.objects.filter(user=user).exists():
            return None
        delegate = (
            Delegate.objects.select_for_update()
            .filter(email__iexact=email, user__isnull=True)
            .first()
        )
        if delegate is not None:
            delegate.user = user
            delegate.save(update_fields=["user", "updated_at"])
        return delegate
