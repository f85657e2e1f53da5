from django.urls import reverse

from experiments.models import Channel, Decision, Experiment
from learnings.selectors import LibraryFilters, library, related_learnings
from tests.factories import idea_make
from tests.learnings.conftest import learning_make


def titles(**filters) -> list[str]:
    return [e.title for e in library(LibraryFilters(**filters))]


def test_the_fixture_library_holds_fifty_learnings(library):
    assert len(titles()) == 50


def test_a_match_in_title_and_learning_outranks_one_in_the_audience(people, library):
    learning_make(
        people,
        60,
        "Banner colours",
        "Colour made no difference.",
        audience="People who asked about delivery dates",
    )
    found = titles(q="delivery date")
    assert len(found) == 6
    assert found[-1] == "Banner colours"
    assert all(t.startswith("Delivery date on product page") for t in found[:5])


def test_search_finds_other_forms_of_a_word(library):
    # "voucher" stems to the same lexeme as "Vouchers" in the learning text.
    assert len(titles(q="voucher")) == 5
    assert titles(q="voucher")[0].startswith("Birthday voucher timing")


def test_search_understands_or_and_phrases(library):
    assert len(titles(q="uninstalls or autocomplete")) == 10
    assert titles(q='"subject lines"')[0].startswith("Newsletter subject lines")
    assert titles(q="teleportation") == []


def test_snippet_highlights_the_matched_words_and_escapes_what_people_wrote(
    client, people, library
):
    learning_make(people, 70, "Script test", "<script>alert(1)</script> pickup was popular")
    client.force_login(people.viewer)
    response = client.get(reverse("learnings:library"), {"q": "pickup"})
    assert response.status_code == 200
    assert "<mark>pickup</mark>" in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "<script>alert(1)" not in response.text


def test_filters_by_team_channel_decision_result_tag_metric_and_audience(people, library):
    assert len(titles(team=str(people.team.pk))) == 25
    assert len(titles(channel=Channel.PUSH)) == 10
    assert len(titles(decision=Decision.ABANDON)) == 10
    assert len(titles(result="won")) == 20
    assert len(titles(result="lost")) == 20
    assert len(titles(result="inconclusive")) == 10
    assert len(titles(tag="mobile")) == 10
    assert len(titles(metric=str(library.orders.pk))) == 10
    assert len(titles(audience="sweden")) == 17  # every third of 0..49


def test_filters_combine_with_search(people, library):
    found = titles(q="delivery", team=str(people.team.pk), result="won")
    # Delivery tests are i = 0..4: team for even i, ship for i % 5 in (0, 4): only i = 0 and 4.
    assert found == ["Delivery date on product page #5", "Delivery date on product page #1"]


def test_unconcluded_tests_are_not_in_the_library(people, library):
    Experiment.objects.filter(title="Store pickup option #1").update(
        status=Experiment.Status.RUNNING, concluded_at=None, decision="", learning=""
    )
    assert len(titles(q="pickup")) == 4


def test_related_learnings_meet_a_new_idea(people, library):
    idea = idea_make(people, title="Show the delivery date in the cart")
    related = related_learnings(idea)
    assert len(related) == 5
    assert all(e.title.startswith("Delivery date on product page") for e in related)


def test_idea_page_shows_related_learnings(client, people, library):
    idea = idea_make(people, title="Earlier birthday vouchers for members")
    client.force_login(people.viewer)
    response = client.get(idea.get_absolute_url())
    assert response.status_code == 200
    assert "Related learnings" in response.text
    assert "Birthday voucher timing #1" in response.text


def test_anonymous_visitors_are_sent_to_sign_in(client, library):
    response = client.get(reverse("learnings:library"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
