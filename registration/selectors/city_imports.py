"""Reads for the member-city import's pages: a job's state for the progress page, recent jobs."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.safestring import mark_safe

from registration.models import CityImportJob

Status = CityImportJob.Status


def city_import_state(*, job: CityImportJob) -> dict[str, Any]:
    """What the progress page shows and polls: the status and how many rows are done."""
    if job.status in (Status.CHECKING, Status.APPLYING):
        done = min(int(cache.get(job.progress_key) or 0), job.rows)
    elif job.status in (Status.READY, Status.DONE):
        done = job.rows
    else:
        done = 0
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "working": job.status in CityImportJob.WORKING,
        # Rows are being counted off: the bar shows how far (otherwise it only shows motion).
        "counting": job.status in (Status.CHECKING, Status.APPLYING) and job.rows > 0,
        "done": done,
        "total": job.rows,
    }


def city_import_report(*, job: CityImportJob) -> dict[str, Any]:
    """The job's report for the page: the preview's rows, each rejected row's errors by column."""
    report = job.report or {}
    totals = report.get("totals", {})
    rejected = []
    for row in report.get("rejected", []):
        by_column: dict[str, list[str]] = {}
        for column, message in row["errors"]:
            by_column.setdefault(column, []).append(message)
        rejected.append(
            {
                **row,
                "by_column": by_column,
                "count": len(row["errors"]),
                "values": row["values"] or [""] * len(report.get("headers", [])),
            }
        )
    return {
        "headers": report.get("headers", []),
        # ClassMarkedDiff wrote these cells as escaped HTML; the job row is only ever written
        # by the worker from that output.
        "rows": [
            {"type": row["type"], "cells": [mark_safe(cell) for cell in row["cells"]]}  # noqa: S308
            for row in report.get("rows", [])
        ],
        "rejected": rejected,
        "new": totals.get("new", 0),
        "update": totals.get("update", 0),
        "skip": totals.get("skip", 0),
    }


def city_imports_recent(*, limit: int = 8) -> QuerySet[CityImportJob]:
    return CityImportJob.objects.select_related("created_by").order_by("-created_at")[:limit]
