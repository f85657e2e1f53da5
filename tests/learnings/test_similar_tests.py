"""Similar past tests: what a marketer meets while writing an idea or a hypothesis."""

import random

import pytest
from django.db import connection
from django.urls import reverse

from learnings.selectors import similar_tests
from tests.learnings.conftest import learning_make

PARAPHRASES = [  # (original title in the fixture library, how someone re-words it later)
    ("Delivery date on product page", "show delivery dates on the product pages"),
    ("Birthday voucher timing", "when to send the birthday vouchers"),
    ("Checkout trust badges", "trust badge in checkout"),
    ("Search autocomplete", "autocompletion in site search"),
    ("Newsletter subject lines", "subject line of the newsletter"),
]


@pytest.mark.parametrize(("original", "paraphrase"), PARAPHRASES)
def test_a_reworded_title_finds_its_original_in_the_top_three(library, original, paraphrase):
    found = [t.title for t in similar_tests(paraphrase)[:3]]
    assert found and all(t.startswith(original) for t in found), found


WORDS = [
    "banner",
    "hero",
    "carousel",
    "video",
    "popup",
    "coupon",
    "basket",
    "wishlist",
    "filter",
    "sorting",
    "review",
    "rating",
    "sticky",
    "header",
    "footer",
    "onboarding",
    "quiz",
    "bundle",
    "upsell",
    "crossell",
    "referral",
    "loyalty",
    "chat",
    "pricing",
    "gallery",
    "zoom",
    "shipping",
    "returns",
    "sizeguide",
    "countdown",
    "scarcity",
    "urgency",
    "social",
    "proof",
]


def test_among_two_thousand_tests_a_reworded_title_finds_its_original(people, db):
    rng = random.Random(17)
    titles = set()
    while len(titles) < 2000:
        titles.add(" ".join(rng.sample(WORDS, 3)).capitalize() + f" test {len(titles)}")
    for i, title in enumerate(sorted(titles)):
        learning_make(people, 100 + i, title, "We learned something about " + title.lower())
    target = sorted(titles)[1234]
    words = target.split()[:3]
    paraphrase = f"{words[2]}s and {words[0].lower()} with a {words[1]}"
    found = [t.title for t in similar_tests(paraphrase)[:3]]
    assert target in found, (paraphrase, found)


def test_the_form_endpoint_answers_json_with_decisions(client, people, library):
    client.force_login(people.viewer)
    response = client.get(reverse("learnings:similar"), {"q": "birthday vouchers earlier"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["title"].startswith("Birthday voucher timing")
    assert results[0]["decision_label"]
    assert results[0]["url"] == reverse("learnings:detail", args=[results[0]["id"]])


def test_the_endpoint_leaves_out_the_test_being_edited(client, people, library):
    client.force_login(people.viewer)
    first = client.get(reverse("learnings:similar"), {"q": "birthday voucher"}).json()
    excluded = first["results"][0]["id"]
    again = client.get(reverse("learnings:similar"), {"q": "birthday voucher", "exclude": excluded})
    assert excluded not in [r["id"] for r in again.json()["results"]]


def test_empty_or_wordless_text_gives_an_empty_list(client, people, library):
    client.force_login(people.viewer)
    for text in ("", "a b", "!!!"):
        response = client.get(reverse("learnings:similar"), {"q": text})
        assert response.status_code == 200
        assert response.json() == {"results": []}


def test_anonymous_callers_are_sent_to_sign_in(client, library):
    response = client.get(reverse("learnings:similar"), {"q": "voucher"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_only_get_is_allowed(client, people, library):
    client.force_login(people.viewer)
    assert client.post(reverse("learnings:similar"), {"q": "voucher"}).status_code == 405


def test_the_idea_form_carries_the_live_list_without_inline_script(client, people):
    client.force_login(people.owner)
    response = client.get(reverse("experiments:idea_create"))
    assert response.status_code == 200
    assert 'id="similar-tests"' in response.text
    assert "js/similar_tests.js" in response.text


def test_postgres_has_the_trigram_extension(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
