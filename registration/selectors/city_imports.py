"""Reads for the member-city import's pages: a job's state for the progress page, recent jobs."""

from __future__ import annotations

import html
import re
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

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
        "rows": [
            {"type": row["type"], "cells": [_marked_cell(cell) for cell in row["cells"]]}
            for row in report.get("rows", [])
        ],
        "rejected": rejected,
        "new": totals.get("new", 0),
        "update": totals.get("update", 0),
        "skip": totals.get("skip", 0),
    }


def city_imports_recent(*, limit: int = 8) -> QuerySet[CityImportJob]:
    return CityImportJob.objects.select_related("created_by").order_by("-created_at")[:limit]


_MARKED_PART = re.compile(r"<(ins|del|span)>(.*?)</\1>", re.S)


def _marked_cell(stored: str) -> SafeString:
    """A preview cell as ClassMarkedDiff marked it, built again from its parts: only <ins>,
    <del> and <span> around escaped text survive, whatever the stored row holds."""
    parts = (
        (tag, linebreaksbr(html.unescape(text.replace("<br>", "\n")), autoescape=True), tag)
        for tag, text in _MARKED_PART.findall(stored)
    )
    return format_html_join("", "<{}>{}</{}>", parts)
