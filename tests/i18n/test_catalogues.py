"""Every string marked, every marked string in the catalogues, every catalogue entry translated."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["fi", "sv", "nl"]
# British English, the source language, has a catalogue too: each entry reads as its msgid (see
# README, "Languages"), so an English reader's strings are found at once.
CATALOGUES = ["en_GB", *LANGUAGES]
SKIP_DIRS = {".venv", "node_modules", "staticfiles"}
# Words a page shows in every language: product and method names, units, symbols.
UNTRANSLATED_WORDS = {
    "GrowthLab",
    "ICE",
    "RICE",
    "CSV",
    "JSON",
    "API",
    "SQL",
    "CUPED",
    "SRM",
    "PDF",
}
# Templates whose text is not marked yet. The list only shrinks: a template that is clean
# fails here until it is taken off.
NOT_YET_MARKED: set[str] = set()
# Entries not translated yet, per language; a budget that only shrinks (see README, "Languages").
UNTRANSLATED_AT_MOST = {"en_GB": 0, "fi": 0, "sv": 0, "nl": 0}


def templates() -> list[Path]:
    return sorted(
        p for p in ROOT.glob("**/templates/**/*.html") if not SKIP_DIRS.intersection(p.parts)
    )


def unmarked_text(source: str) -> list[str]:
    """Runs of words a person reads (text and title/alt/placeholder/aria-label values) that
    are outside {% translate %} and {% blocktranslate %}."""
    text = re.sub(
        r"{%\s*blocktrans(late)?\b.*?{%\s*endblocktrans(late)?\s*%}", " ", source, flags=re.S
    )
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", text, flags=re.S)
    text = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", "\n", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
    shown = re.findall(r'\b(?:title|alt|placeholder|aria-label)="([^"]*)"', text)
    text = re.sub(r"<!--.*?-->|<[^>]*>", "\n", text, flags=re.S)
    text = re.sub(r"&[a-z#0-9]+;", " ", text)
    found = []
    for chunk in [*text.split("\n"), *shown]:
        # An example address (a webhook URL as a placeholder) reads the same in every language.
        chunk = re.sub(r"https?://\S*", " ", chunk)
        words = [w for w in re.findall(r"[^\W\d_]{2,}", chunk) if w not in UNTRANSLATED_WORDS]
        if words:
            found.append(" ".join(words)[:60])
    return found


def test_every_template_string_is_marked_for_translation():
    problems = {}
    for path in templates():
        relative = path.relative_to(ROOT).as_posix()
        if relative not in NOT_YET_MARKED and (text := unmarked_text(path.read_text())):
            problems[relative] = text
    assert problems == {}


def test_the_not_yet_marked_list_only_shrinks():
    clean = [t for t in sorted(NOT_YET_MARKED) if not unmarked_text((ROOT / t).read_text())]
    assert clean == [], "marked now: take them off NOT_YET_MARKED"


def test_the_scan_sees_text_outside_translate_tags():
    assert unmarked_text('<p title="x">Sign in</p>{% translate "Fine" %}') == ["Sign in"]
    assert unmarked_text("{% blocktranslate %}Hello {{ x }}{% endblocktranslate %}") == []
    assert unmarked_text("<b>GrowthLab</b> · 12 %") == []
    assert unmarked_text('<input placeholder="https://hooks.example.com/x">') == []


def msgids(po: Path) -> set[tuple[str, str]]:
    """(msgctxt, msgid) pairs, comments and header left out."""
    entries, context = set(), ""
    text = po.read_text()
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        joined = "\n".join(lines)
        context = "".join(re.findall(r'^msgctxt "(.*)"', joined, flags=re.M))
        match = re.search(r'^msgid "(.*)"((?:\n".*")*)', joined, flags=re.M)
        if match:
            msgid = match.group(1) + "".join(re.findall(r'"(.*)"', match.group(2)))
            if msgid:
                entries.add((context, msgid))
    return entries


def test_makemessages_leaves_the_catalogues_unchanged(tmp_path):
    copy = tmp_path / "copy"
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "staticfiles", "test-artifacts", "*.db", "media"
    )
    shutil.copytree(ROOT, copy, ignore=ignore, symlinks=True)
    subprocess.run(
        [
            str(ROOT / ".venv/bin/python"),
            "manage.py",
            "makemessages",
            *[f"--locale={lang}" for lang in CATALOGUES],
            "--ignore=tests",
            "--ignore=benchmarks",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    for lang in CATALOGUES:
        relative = f"locale/{lang}/LC_MESSAGES/django.po"
        assert msgids(copy / relative) == msgids(ROOT / relative), relative


def statistics(po: Path) -> dict[str, int]:
    """translated/fuzzy/untranslated counts, as msgfmt --statistics reports them."""
    entries = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for block in po.read_text().split("\n\n")[1:]:
        if "msgid" not in block:
            continue
        if re.search(r"^#,.*fuzzy", block, flags=re.M):
            entries["fuzzy"] += 1
        # Empty, and not continued on the next line (a long msgstr starts with "" too).
        elif re.search(r'^msgstr(\[\d\])? ""\n(?!")', block + "\n", flags=re.M):
            entries["untranslated"] += 1
        else:
            entries["translated"] += 1
    return entries


@pytest.mark.parametrize("lang", CATALOGUES)
def test_no_catalogue_entry_is_fuzzy_and_none_beyond_the_budget_untranslated(lang):
    counts = statistics(ROOT / f"locale/{lang}/LC_MESSAGES/django.po")
    assert counts["fuzzy"] == 0
    assert counts["untranslated"] == UNTRANSLATED_AT_MOST[lang], counts


@pytest.mark.parametrize("lang", CATALOGUES)
def test_the_compiled_catalogue_is_the_one_committed(lang, tmp_path):
    po = ROOT / f"locale/{lang}/LC_MESSAGES/django.po"
    subprocess.run(["msgfmt", "--check-format", "-o", tmp_path / "django.mo", po], check=True)
    assert (tmp_path / "django.mo").read_bytes() == po.with_suffix(".mo").read_bytes()


def english_entries(po: Path) -> list[tuple[str, list[str]]]:
    """(msgid and msgid_plural, msgstr forms) per entry, header left out."""
    entries = []
    for block in po.read_text().split("\n\n")[1:]:
        lines = "\n".join(line for line in block.splitlines() if not line.startswith("#"))
        fields = {}
        for name, first, more in re.findall(
            r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"((?:\n".*")*)', lines, flags=re.M
        ):
            fields[name] = first + "".join(re.findall(r'"(.*)"', more))
        if "msgid" in fields:
            source = [fields["msgid"], fields.get("msgid_plural", fields["msgid"])]
            forms = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
            entries.append((source, forms))
    return entries


def test_the_english_catalogue_reads_as_the_source():
    """msgen writes it; a hand-written British variant would be a second source text."""
    entries = english_entries(ROOT / "locale/en_GB/LC_MESSAGES/django.po")
    assert len(entries) > 1000
    changed = [src for src, forms in entries if forms != src[: len(forms)]]
    assert changed == []


def test_the_statistics_count_a_long_translation_as_translated(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fi\\n"\n\n'
        'msgid "Short"\nmsgstr "Lyhyt"\n\n'
        'msgid "Long"\nmsgstr ""\n"Pitkä "\n"teksti"\n\n'
        'msgid "Missing"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Guess"\nmsgstr "Arvaus"\n'
    )
    assert statistics(po) == {"translated": 2, "fuzzy": 1, "untranslated": 1}
