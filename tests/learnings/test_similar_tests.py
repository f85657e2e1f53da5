"""Similar past tests: what a marketer meets while writing an idea or a hypothesis."""

import random

import pytest
from django.db import connection
from django.urls import reverse

from experiments.models import ExperimentMetric, MetricRole, Tag
from learnings.selectors import similar_tests
from tests.factories import experiment_make, metric_make
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


def test_a_tag_named_in_the_text_brings_its_tests(people, library):
    seasonal = Tag.objects.create(name="seasonal")
    tagged = learning_make(people, 60, "Gift guide layout", "Fewer columns sold more gifts.")
    tagged.tags.add(seasonal)
    found = similar_tests("seasonal ideas for december")
    assert found and found[0] == tagged


def test_the_kpi_node_named_in_the_text_brings_its_tests(people, library):
    node = metric_make("Basket abandonment")
    on_node = learning_make(people, 61, "Exit survey", "Asking why they left told us little.")
    ExperimentMetric.objects.create(experiment=on_node, metric=node, role=MetricRole.PRIMARY)
    found = similar_tests("lower the basket abandonment")
    assert found and found[0] == on_node


def test_between_equally_worded_tests_the_one_on_the_named_node_comes_first(people, library):
    node = metric_make("Newsletter clicks")
    first = learning_make(people, 62, "Emoji in the preheader", "Emoji changed nothing.")
    second = learning_make(people, 63, "Emoji in the preheader", "Emoji changed nothing.")
    ExperimentMetric.objects.create(experiment=first, metric=node, role=MetricRole.PRIMARY)
    # the second concluded later, so without the node it would come first
    assert [t.pk for t in similar_tests("emoji in the preheader")[:2]] == [second.pk, first.pk]
    found = similar_tests("emoji in the preheader for newsletter clicks")
    assert [t.pk for t in found[:2]] == [first.pk, second.pk]


def test_each_match_carries_its_measured_lift_from_the_stored_result(client, people, shipped):
    found = similar_tests("shipped test")
    assert {t.pk for t in found} == set(shipped)
    by_title = {t.title: t.lift for t in found}
    best = by_title["Shipped test 0"]
    assert best.metric_name == "Order conversion"
    assert best.estimate == pytest.approx(0.8, abs=0.01)
    assert best.ci_lower < best.estimate < best.ci_upper
    client.force_login(people.viewer)
    response = client.get(reverse("learnings:similar"), {"q": "shipped test 0"})
    [first, *_] = response.json()["results"]
    assert first["title"] == "Shipped test 0"
    label = first["lift_label"]
    assert label.startswith("+") and " on Order conversion (interval +" in label, label
    assert float(label[1 : label.index("%")]) == pytest.approx(100 * best.estimate, abs=0.051)


def test_a_match_without_a_stored_result_has_no_lift(client, people, library):
    [found, *_] = similar_tests("birthday vouchers")
    assert found.lift is None
    client.force_login(people.viewer)
    response = client.get(reverse("learnings:similar"), {"q": "birthday vouchers"})
    assert response.json()["results"][0]["lift_label"] == ""


def test_the_experiment_page_lists_related_learnings_with_decision_and_lift(
    client, people, shipped
):
    later = experiment_make(people, title="Shipped test again", hypothesis_change="ship it")
    client.force_login(people.viewer)
    response = client.get(later.get_absolute_url())
    assert response.status_code == 200
    related = response.text.split('data-testid="related-learnings"')[1].split("</section>")[0]
    assert "Shipped test 0" in related
    assert "badge-ship" in related
    assert 'data-testid="related-lift"' in related and "Order conversion" in related


def test_a_lookup_runs_a_fixed_handful_of_queries_however_many_match(
    people, library, django_assert_max_num_queries
):
    # A tag and a KPI node named, and words matching every test: the scores of all candidates
    # come from one query, then one fetch of the winners with their tags, nodes and results.
    # savepoint, set_config, labels named, stems, scores, release; winners, their tags,
    # nodes, read-back plans and read-backs, results: 12, however many tests match
    with django_assert_max_num_queries(12):
        found = similar_tests("mobile sign-ups: delivery, vouchers, badges, newsletters")
    assert len(found) == 5
