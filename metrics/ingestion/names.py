"""Obvious column names, in the languages our users export in, so the mapping starts filled in.

Pure: the standard library only. A guess is only a starting point shown on the mapping page;
the person confirms or changes it before anything is loaded.
"""

from __future__ import annotations

import re
import unicodedata

ROLE_NAMES = {
    "user": (
        "user_id",
        "userid",
        "user",
        "customer_id",
        "customer",
        "visitor_id",
        "visitor",
        "client_id",
        "member_id",
        "contact_id",
        "email",
        "käyttäjä",
        "käyttäjä_id",
        "käyttäjätunnus",
        "asiakas",
        "asiakasnumero",
        "användare",
        "användar_id",
        "kund_id",
        "gebruiker",
        "gebruiker_id",
        "klant_id",
        "benutzer",
        "kunde",
        "id",
    ),
    "variant": (
        "variant",
        "variation",
        "group",
        "arm",
        "bucket",
        "test_group",
        "cohort",
        "ryhmä",
        "variantti",
        "versio",
        "grupp",
        "groep",
        "gruppe",
        "variante",
    ),
    "date": (
        "date",
        "day",
        "exposure_date",
        "exposed_on",
        "first_seen",
        "päivä",
        "päivämäärä",
        "pvm",
        "altistuspäivä",
        "datum",
        "dag",
        "tag",
    ),
}
COUNTS_NAMES = {
    "variant": ROLE_NAMES["variant"],
    "date": ROLE_NAMES["date"],
    "users": (
        "users",
        "visitors",
        "recipients",
        "sent",
        "delivered",
        "sessions",
        "käyttäjät",
        "kävijät",
        "vastaanottajat",
        "besökare",
        "bezoekers",
        "n",
    ),
    "conversions": (
        "conversions",
        "converted",
        "orders",
        "clicks",
        "konversiot",
        "tilaukset",
        "konverteringar",
        "conversies",
    ),
}
COUNTS_SUFFIXES = (
    ("sum_squares", ("sum_squares", "sum_of_squares", "squares", "sumsq")),
    ("sum", ("sum", "total")),
)


def normal(name: str) -> str:
    """Lower case, accents kept, spaces and dashes as underscores: "User ID" → "user_id"."""
    text = unicodedata.normalize("NFC", name).strip().casefold()
    return re.sub(r"[\s\-.]+", "_", text)


def find(columns: list[str], names: tuple[str, ...], taken: set[str]) -> str:
    by_normal = {normal(column): column for column in columns if column not in taken}
    return next((by_normal[name] for name in names if name in by_normal), "")


def guess_mapping(columns: list[str], metrics: dict[str, str]) -> dict:
    """A mapping (as the page's JSON) from the names alone; roles not found stay empty."""
    taken: set[str] = set()
    guessed: dict = {}
    for role in ("user", "variant", "date"):
        guessed[role] = find(columns, ROLE_NAMES[role], taken)
        taken.add(guessed[role])
    guessed["metrics"] = {}
    for name in metrics:
        column = find(columns, (normal(name), normal(name).replace("_", "")), taken)
        if not column:
            continue
        picked = {"column": column}
        pre = find(columns, (f"pre_{normal(column)}", f"{normal(column)}_pre"), taken)
        if pre and metrics[name] == "mean":
            picked["pre"] = pre
        guessed["metrics"][name] = picked
    return guessed


def guess_counts_columns(columns: list[str]) -> dict[str, str]:
    """{role: file column} for a counts export: variant, date, users, conversions, sum, Σx²."""
    taken: set[str] = set()
    guessed = {}
    for role, names in COUNTS_NAMES.items():
        if column := find(columns, names, taken):
            guessed[role] = column
            taken.add(column)
    for role, endings in COUNTS_SUFFIXES:
        for column in columns:
            name = normal(column)
            if column not in taken and any(name == e or name.endswith(f"_{e}") for e in endings):
                guessed[role] = column
                taken.add(column)
                break
    return guessed


def header_maps(columns: list[str]) -> bool:
    """Whether a header names a user and a variant column: the sheet holding the data."""
    guessed = guess_mapping(columns, {})
    return bool(guessed["user"] and guessed["variant"])
