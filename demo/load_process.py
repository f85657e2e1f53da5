"""The demo's test process: two templates, a custom field, and a test waiting for sign-off."""

from demo.context import Demo
from experiments.models import CustomField, Experiment, ExperimentTemplate, SignoffRequest
from experiments.services.custom_fields import custom_field_save, custom_values_write
from experiments.services.signoff import signoff_policy_update, signoff_request
from experiments.services.templates import template_save

TWO_WAY = [
    {"name": "Control", "is_control": True, "traffic_share": 50, "description": "Today's page."},
    {"name": "Treatment", "is_control": False, "traffic_share": 50, "description": ""},
]
TEMPLATES = [
    {
        "team": "Web Growth",
        "name": "Product page change",
        "description": "Any change to the product page that should sell more without more returns.",
        "audience": "Visitors to product pages",
        "hypothesis_insight": "that <what the session recordings or the data showed>",
        "hypothesis_change": "<the change> on the product page",
        "hypothesis_effect": "increase orders",
        "mde_relative": 5.0,
        "plan_daily_traffic": 8000,
        "tags": ["product page"],
        "checklist": [
            "QA on iOS Safari and Android Chrome",
            "Tracking of add-to-cart checked in the debugger",
            "Customer service told what visitors will see",
        ],
        "metrics": [("Order conversion", "primary"), ("Product return rate", "guardrail")],
    },
    {
        "team": None,
        "name": "Offer test (every team)",
        "description": "A price or offer test; guardrails protect long-term value.",
        "hypothesis_insight": "that <the price or offer signal>",
        "hypothesis_change": "<the offer>",
        "hypothesis_effect": "raise redemptions",
        "mde_relative": 10.0,
        "tags": ["offer"],
        "checklist": ["Legal has approved the offer wording", "Finance has agreed the cost"],
        "metrics": [
            ("Offer redemption rate", "primary"),
            ("Customer lifetime value (12 months)", "guardrail"),
        ],
    },
]
BUSINESS_UNIT = {
    "label": "Business unit",
    "key": "business_unit",
    "kind": "choice",
    "choices": ["Fashion", "Home", "Electronics", "Whole shop"],
    "required_from": "",
    "help_text": "Whose numbers the test moves.",
}
UNIT_OF_TESTS = {
    "Fit advice from return reasons": "Fashion",
    "Complete-the-look bundles on fashion pages": "Fashion",
    "Sticky add-to-cart bar on mobile product pages": "Whole shop",
}
WAITING_FOR_SIGNOFF = ("Web Growth", "Fit advice from return reasons", "oskar.dahl")


def process_load(demo: Demo) -> None:
    lead = demo.leads["Web Growth"]
    for spec in TEMPLATES:
        team = demo.teams[spec["team"]] if spec["team"] else None
        if ExperimentTemplate.objects.filter(team=team, name=spec["name"]).exists():
            continue
        data = {k: v for k, v in spec.items() if k not in ("team", "metrics")}
        metrics = [(demo.metrics[name], role) for name, role in spec["metrics"]]
        template_save(
            template=ExperimentTemplate(team=team),
            user=lead if team else demo.users["admin.ada"],
            data={**data, "variants": TWO_WAY},
            metrics=metrics,
        )
    if not CustomField.objects.filter(key=BUSINESS_UNIT["key"]).exists():
        custom_field_save(field=CustomField(), data=BUSINESS_UNIT)
        for title, unit in UNIT_OF_TESTS.items():
            experiment = Experiment.objects.filter(title=title).first()
            if experiment is not None:
                custom_values_write(experiment=experiment, values={"business_unit": unit})
    team_name, title, asker = WAITING_FOR_SIGNOFF
    team = demo.teams[team_name]
    signoff_policy_update(team=team, user=lead, before_start=True, before_running_edit=False)
    experiment = Experiment.objects.filter(team=team, title=title).first()
    if experiment is not None and not SignoffRequest.objects.filter(experiment=experiment).exists():
        signoff_request(experiment=experiment, user=demo.users[asker], kind="start")
