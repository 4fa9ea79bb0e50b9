"""The English translation: complete, in step with the sources and compiled, and used by the pages.

The UI is written in Simplified Chinese inside gettext calls; ``locale/en/LC_MESSAGES/django.po``
holds the English. After adding or changing a translatable string::

    python manage.py makemessages -l en --ignore ".venv/*" --ignore "tests/*" \
        --ignore "staticfiles/*"
    # translate every empty msgstr, remove any "#, fuzzy" flag
    python manage.py compilemessages -l en --ignore ".venv/*"

Tests that need GNU gettext (xgettext, msgattrib) skip when it is missing, unless
REQUIRE_GETTEXT=1.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"

# What makemessages scans in the project (the same as the documented command, minus what it
# ignores: .venv, tests, staticfiles).
SOURCE_DIRS = (
    "core",
    "jobs",
    "divisions",
    "compliance",
    "committees",
    "elections",
    "governance",
    "surveys",
    "facilities",
    "funding",
    "grassroots",
    "supervision",
    "demo",
    "portal",
    "api",
    "templates",
)
IGNORES = (".venv/*", "tests/*", "staticfiles/*")

CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


# --- a small .po reader (polib is not a dependency) --------------------------------------------


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a singular entry's msgstr
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def translations(self) -> list[str]:
        return [self.msgstr[k] for k in sorted(self.msgstr)]


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header included (msgid ""), obsolete ones marked."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None
    flags: set[str] = set()

    def finish() -> None:
        nonlocal current, target, flags
        if current is not None:
            entries.append(current)
        current, target, flags = None, None, set()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, literal = match.groups()
            value = ast.literal_eval(literal)
            if keyword in ("msgctxt", "msgid") and current is not None and current.msgstr:
                finish()  # a new entry without a blank line before it
            if current is None:
                current = Entry(msgid="", flags=flags, obsolete=obsolete)
            if keyword == "msgctxt":
                current.msgctxt, target = value, ("msgctxt", None)
            elif keyword == "msgid":
                current.msgid, target = value, ("msgid", None)
            elif keyword == "msgid_plural":
                current.msgid_plural, target = value, ("msgid_plural", None)
            else:
                n = int(index) if index is not None else 0
                current.msgstr[n], target = value, ("msgstr", n)
        elif line.startswith('"') and current is not None and target is not None:
            value = ast.literal_eval(line)
            kind, n = target
            if kind == "msgctxt":
                current.msgctxt += value
            elif kind == "msgid":
                current.msgid += value
            elif kind == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + value
            elif kind == "msgstr":
                current.msgstr[n] += value
    finish()
    return entries


def messages(path: Path) -> list[Entry]:
    """The live (non-obsolete, non-header) entries."""
    return [e for e in parse_po(path) if e.msgid and not e.obsolete]


def header(path: Path) -> dict[str, str]:
    head = next(e for e in parse_po(path) if e.msgid == "" and not e.obsolete)
    fields = {}
    for line in head.msgstr[0].splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def gettext_tools_or_skip(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        if os.environ.get("REQUIRE_GETTEXT") == "1":
            pytest.fail(f"GNU gettext is required (REQUIRE_GETTEXT=1) but missing: {missing}")
        pytest.skip(
            f"GNU gettext not installed ({', '.join(missing)} missing; apt-get install gettext)"
        )


# --- the catalogue itself ---------------------------------------------------------------------


def test_it_has_a_complete_english_catalogue():
    entries = messages(PO_PATH)
    assert entries, f"no messages in {PO_PATH}"
    untranslated = [e.msgid for e in entries if not all(e.translations)]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated msgids: {untranslated}"
    assert not fuzzy, f"fuzzy msgids: {fuzzy}"
    for entry in entries:
        if entry.msgid_plural is not None:
            assert sorted(entry.msgstr) == [0, 1], f"need msgstr[0] and [1]: {entry.msgid}"


def test_it_has_english_headers():
    head = header(PO_PATH)
    assert head["Language"] == "en"
    assert head["Content-Type"] == "text/plain; charset=UTF-8"
    assert head["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert "fuzzy" not in next(e for e in parse_po(PO_PATH) if e.msgid == "").flags


def test_it_keeps_every_placeholder():
    for entry in messages(PO_PATH):
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in entry.translations:
            assert sorted(PLACEHOLDER.findall(text)) == expected, (entry.msgid, text)


def test_it_leaves_no_chinese_in_the_english_text():
    for entry in messages(PO_PATH):
        for text in entry.translations:
            assert not CJK.search(text), (entry.msgid, text)


def test_it_passes_msgattrib_and_msgfmt_checks(tmp_path):
    gettext_tools_or_skip("msgattrib", "msgfmt")
    for option in ("--untranslated", "--only-fuzzy"):
        result = subprocess.run(
            ["msgattrib", option, "--no-obsolete", str(PO_PATH)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == "", f"msgattrib {option}:\n{result.stdout}"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "en.mo"), str(PO_PATH)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_it_finds_no_new_msgid_in_the_sources(tmp_path):
    gettext_tools_or_skip("xgettext", "msguniq")
    base = Path(settings.BASE_DIR)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCE_DIRS:
        if (base / name).is_dir():
            shutil.copytree(base / name, tmp_path / name, ignore=skip)
    shutil.copy2(base / "manage.py", tmp_path / "manage.py")
    ignores = [arg for pattern in IGNORES for arg in ("--ignore", pattern)]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", *ignores],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    fresh = {e.msgid for e in messages(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")}
    committed = {e.msgid for e in messages(PO_PATH)}
    new = sorted(fresh - committed)
    assert not new, (
        f"{len(new)} msgid(s) missing from {PO_PATH.relative_to(base)}; run makemessages, "
        f"translate them and compilemessages: {new}"
    )


def test_it_has_an_up_to_date_mo():
    assert MO_PATH.exists(), f"{MO_PATH} missing: run compilemessages -l en"
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.info().get("language") == "en"
    stale = []
    for entry in messages(PO_PATH):
        if entry.msgctxt is not None:
            got = [compiled.pgettext(entry.msgctxt, entry.msgid)]
        elif entry.msgid_plural is None:
            got = [compiled.gettext(entry.msgid)]
        else:
            got = [compiled.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
        if got != entry.translations:
            stale.append((entry.msgid, got, entry.translations))
    assert not stale, f"django.mo is older than django.po (run compilemessages -l en): {stale}"


# --- the pages --------------------------------------------------------------------------------


class ChromeText(HTMLParser):
    """Text (and labels) inside <title>, <nav>, <h1> and <button>: the UI chrome, not data."""

    TAGS = frozenset({"title", "nav", "h1", "button"})
    LABELS = ("aria-label", "title", "placeholder")
    VOID = frozenset({"br", "img", "input", "link", "meta", "hr", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.chunks: list[str] = []

    @property
    def inside(self) -> bool:
        return any(tag in self.TAGS for tag in self.stack)

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)
        if self.inside:
            self.chunks += [value for name, value in attrs if name in self.LABELS and value]

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self.inside and data.strip():
            self.chunks.append(data.strip())

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        parser.close()
        return " | ".join(parser.chunks)


@pytest.fixture
def superuser_client(client, django_user_model):
    django_user_model.objects.create_superuser(
        username="admin", email="admin@example.org", password="pw"
    )
    assert client.login(username="admin", password="pw")
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/standards/"])
def test_it_renders_the_navigation_in_english(superuser_client, url):
    response = superuser_client.post("/i18n/setlang/", {"language": "en", "next": url})
    assert response.status_code == 302
    assert superuser_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    with translation.override("en"):
        response = superuser_client.get(url)
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert '<html lang="en">' in html
    chrome = ChromeText.of(html)
    assert "Standards library" in chrome
    assert not CJK.search(chrome), f"Chinese left in the English chrome of {url}: {chrome}"


@pytest.mark.django_db
def test_it_still_serves_chinese_by_default(superuser_client):
    response = superuser_client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert "标准库" in ChromeText.of(response.content.decode())
