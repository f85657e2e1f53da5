"""The pages a marketer reads keep every word inside {% translate %} or {% blocktranslate %}."""

import re
from pathlib import Path

import pytest
from django.template import loader

PAGES = [
    "dashboard/results.html",
    "dashboard/metric_section.html",
    "dashboard/calculator.html",
    "experiments/conclude_form.html",
    "experiments/plan_form.html",
    "metrics/outcome_upload.html",
    "metrics/outcome_map.html",
    "metrics/past_loads.html",
]
# Removed in this order: what is translated or not text, then template tags, then HTML tags.
NOT_TEXT = [
    re.compile(r"{% blocktranslate.*?{% endblocktranslate %}", re.S),
    re.compile(r"{% comment %}.*?{% endcomment %}", re.S),
    re.compile(r"<script.*?</script>", re.S),
    re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S),
    re.compile(r"<[^>]*>", re.S),
]
WORD = re.compile(r"[A-Za-zÀ-ÿ]{2,}")


def untranslated_words(name: str) -> list[str]:
    """The words of `name` written straight into the template, outside any translate tag."""
    text = Path(loader.get_template(name).origin.name).read_text()
    for pattern in NOT_TEXT:
        text = pattern.sub(" ", text)
    return WORD.findall(text)


@pytest.mark.parametrize("name", PAGES)
def test_every_word_of_the_page_is_translatable(name):
    assert untranslated_words(name) == []
