"""The Korean catalogue: complete, with the same placeholders as the English, and up to date.

No database: the catalogue is read with polib, and the freshness check runs `makemessages` on a
copy of the sources in a temporary folder, so the committed catalogue is never touched.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "ko" / "LC_MESSAGES" / "django.po"
JS_CATALOGUE = ROOT / "locale" / "ko" / "LC_MESSAGES" / "djangojs.po"

# The same folders `makemessages` is told to leave out when the catalogue is made.
IGNORED = ["tests", "benchmarks", "staticfiles", "test-artifacts", ".venv", "node_modules"]
# Never copied for the freshness check: nothing there is scanned, or it is only data.
NOT_COPIED = {
    *IGNORED,
    ".git",
    ".ci",
    ".pytest_cache",
    ".ruff_cache",
    "__pycache__",
    "private",
    "media",
    "build",
    "dist",
}

NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
TEMPLATE_VAR = re.compile(r"\{\{\s*([\w.|:\"' ]+?)\s*\}\}")
BRACE = re.compile(r"(?<!\{)\{(\w*)\}(?!\})")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def _catalogues() -> list[Path]:
    return [path for path in (CATALOGUE, JS_CATALOGUE) if path.exists()]


def _entries() -> list[tuple[str, polib.POEntry]]:
    found = []
    for path in _catalogues():
        for entry in polib.pofile(str(path)):
            if not entry.obsolete:
                found.append((path.name, entry))
    return found


def _label(name: str, entry: polib.POEntry) -> str:
    where = ", ".join(f"{file}:{line}" for file, line in entry.occurrences[:2])
    return f"{name} [{where}] {entry.msgid!r}"


def _translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _placeholders(text: str, entry: polib.POEntry) -> Counter:
    """What a translation must keep from its source: every variable, the same number of times."""
    # A literal percent sign is not a placeholder.
    bare = text.replace("%%", "")
    found: Counter = Counter()
    for name in NAMED.findall(bare):
        found[f"%({name})"] += 1
    if "python-format" in entry.flags:
        found["%<positional>"] += len(POSITIONAL.findall(NAMED.sub("", bare)))
    for name in TEMPLATE_VAR.findall(text):
        found["{{" + name.strip() + "}}"] += 1
    if "python-brace-format" in entry.flags:
        for name in BRACE.findall(text):
            found["{" + name + "}"] += 1
    return found


def test_the_korean_catalogue_exists_with_its_header():
    assert CATALOGUE.exists(), f"missing {CATALOGUE.relative_to(ROOT)}"
    catalogue = polib.pofile(str(CATALOGUE))
    assert not catalogue.metadata_is_fuzzy, "the header is still marked fuzzy"
    assert catalogue.metadata.get("Language") == "ko"
    assert "charset=UTF-8" in catalogue.metadata.get("Content-Type", "")
    assert catalogue.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert catalogue.metadata.get("Project-Id-Version", "").startswith("EXCOM Registration")
    assert len([e for e in catalogue if not e.obsolete]) > 100


def test_every_message_is_translated_and_none_is_fuzzy():
    problems = []
    for name, entry in _entries():
        if "fuzzy" in entry.flags:
            problems.append("fuzzy: " + _label(name, entry))
        elif not all(text.strip() for text in _translations(entry)):
            problems.append("untranslated: " + _label(name, entry))
        elif entry.msgid_plural and sorted(entry.msgstr_plural) != [0]:
            problems.append("Korean has one plural form: " + _label(name, entry))
    assert not problems, f"{len(problems)} messages to fix:\n" + "\n".join(problems)


def test_translations_keep_the_placeholders_of_the_source():
    problems = []
    for name, entry in _entries():
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        for text in _translations(entry):
            if not text:
                continue
            mine = _placeholders(text, entry)
            # A plural form may leave out the count, so it may match either source.
            if not any(_placeholders(source, entry) == mine for source in sources):
                wanted = _placeholders(sources[-1], entry)
                problems.append(
                    f"{_label(name, entry)}: source has {dict(wanted)}, "
                    f"translation {text!r} has {dict(mine)}"
                )
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


def test_translations_keep_the_markup_of_the_source():
    problems = []
    for name, entry in _entries():
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        for text in _translations(entry):
            if not text:
                continue
            for pattern, what in ((TAG, "HTML tags"), (ENTITY, "HTML entities")):
                if Counter(pattern.findall(text)) != Counter(pattern.findall(sources[0])):
                    problems.append(f"{what}: {_label(name, entry)} -> {text!r}")
    assert not problems, "markup differs:\n" + "\n".join(problems)


def _ids(path: Path) -> set[tuple[str | None, str, str]]:
    return {
        (entry.msgctxt, entry.msgid, entry.msgid_plural or "")
        for entry in polib.pofile(str(path))
        if not entry.obsolete
    }


def test_the_catalogue_is_up_to_date_with_the_sources(tmp_path):
    copy = tmp_path / "src"
    copy.mkdir()
    for item in ROOT.iterdir():
        if item.name in NOT_COPIED or item.name.endswith(".egg-info"):
            continue
        if item.is_dir():
            shutil.copytree(
                item,
                copy / item.name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"),
            )
        elif item.name == "manage.py":
            shutil.copy2(item, copy / item.name)
    assert (copy / "manage.py").exists()
    committed_before = CATALOGUE.read_bytes()

    domains = ["django"] + (["djangojs"] if JS_CATALOGUE.exists() else [])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "excom.settings.test",
        "DATABASE_URL": "sqlite:///" + str(tmp_path / "x.sqlite3"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    for domain in domains:
        command = [sys.executable, "manage.py", "makemessages", "-l", "ko", "-d", domain]
        command += [f"--ignore={folder}" for folder in IGNORED] + ["--no-obsolete"]
        done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr

    # makemessages in the copy must have written to the copy, never to the real catalogue.
    assert CATALOGUE.read_bytes() == committed_before
    for domain in domains:
        committed = _ids(ROOT / "locale" / "ko" / "LC_MESSAGES" / f"{domain}.po")
        fresh = _ids(copy / "locale" / "ko" / "LC_MESSAGES" / f"{domain}.po")
        new = sorted(msgid for _, msgid, _ in fresh - committed)
        gone = sorted(msgid for _, msgid, _ in committed - fresh)
        assert not new and not gone, (
            f"{domain}.po is out of date: run makemessages -l ko and translate.\n"
            f"In the sources, not in the catalogue ({len(new)}): {new}\n"
            f"In the catalogue, no longer in the sources ({len(gone)}): {gone}"
        )


@pytest.mark.parametrize(
    ("english", "korean"),
    [
        ("Registration", "등록"),
        ("Sign in", "로그인"),
        ("Head of delegation", "대표단장"),
    ],
)
def test_a_few_words_in_korean_through_django(english, korean):
    """The compiled catalogue is what Django shows; compiled here if `make` has not done it yet."""
    from django.utils import translation

    mo = CATALOGUE.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < CATALOGUE.stat().st_mtime:
        pytest.skip("the catalogue is not compiled (make compilemessages)")
    with translation.override("ko"):
        assert translation.gettext(english) == korean
