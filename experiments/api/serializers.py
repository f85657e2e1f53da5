"""Output serializers describe what the API returns; input serializers what it accepts.

Writes never go through ``serializer.save()``: a view validates an input serializer and hands
``validated_data`` to a service in experiments/services/, which owns history and checks.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import access
from accounts.api.serializers import TeamRefSerializer, UserRefSerializer
from accounts.models import Team, User
from experiments.business_case import business_cases
from experiments.models import (
    CustomField,
    CustomFieldValue,
    Decision,
    Experiment,
    ExperimentMetric,
    ExperimentTemplate,
    HistoryEntry,
    Idea,
    MetricRole,
    SignoffRequest,
    TemplateMetric,
    Variant,
)
from experiments.selectors import hypothesis_sentence
from experiments.services.custom_fields import custom_values_clean, typed
from experiments.services.experiments import EXPERIMENT_EDITABLE_FIELDS
from experiments.services.ideas import IDEA_EDITABLE_FIELDS
from experiments.services.tags import MAX_TAG_LENGTH
from experiments.services.templates import TEMPLATE_FIELDS
from metrics.models import Metric

IDEA_OF_ANOTHER_TEAM = _(
    "This idea is in the backlog of {team}: a test can only come from its own team's ideas."
)


def owner_check(owner: User | None, team: Team | None) -> None:
    """The owner of a team's object is one of its members, as on the page."""
    if refusal := access.owner_refusal(owner, team):
        raise serializers.ValidationError({"owner": [refusal]})


TagNames = serializers.ListField(
    child=serializers.CharField(max_length=MAX_TAG_LENGTH), required=False, max_length=50
)


class IdeaSerializer(serializers.ModelSerializer):
    team = TeamRefSerializer()
    author = UserRefSerializer(allow_null=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    ice_score = serializers.FloatField(read_only=True, allow_null=True)
    rice_score = serializers.FloatField(read_only=True, allow_null=True)
    score = serializers.FloatField(
        read_only=True, allow_null=True, help_text="ICE or RICE, by the team's scoring model."
    )
    experiments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Idea
        fields = [
            "id",
            "team",
            "author",
            *IDEA_EDITABLE_FIELDS,
            "tags",
            "ice_score",
            "rice_score",
            "score",
            "experiments",
            "created_at",
            "updated_at",
        ]


class IdeaInputSerializer(serializers.ModelSerializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    tags = TagNames

    class Meta:
        model = Idea
        fields = ["team", *IDEA_EDITABLE_FIELDS, "tags"]


class IdeaUpdateSerializer(IdeaInputSerializer):
    class Meta(IdeaInputSerializer.Meta):
        fields = [*IDEA_EDITABLE_FIELDS, "tags"]


class VariantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Variant
        fields = ["id", "name", "description", "is_control", "traffic_share", "screenshot", "link"]
        read_only_fields = ["screenshot"]


class MetricRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Metric
        fields = ["id", "name", "kind", "unit", "good_direction"]


class AttachedMetricSerializer(serializers.ModelSerializer):
    metric = MetricRefSerializer()

    class Meta:
        model = ExperimentMetric
        fields = ["id", "metric", "role"]


class AttachMetricInputSerializer(serializers.Serializer):
    metric = serializers.PrimaryKeyRelatedField(queryset=Metric.objects.all())
    role = serializers.ChoiceField(choices=MetricRole.choices)


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)


class HistoryEntrySerializer(serializers.ModelSerializer):
    user = UserRefSerializer(allow_null=True)
    changes = HistoryChangeSerializer(many=True)

    class Meta:
        model = HistoryEntry
        fields = ["id", "created_at", "user", "summary", "changes"]


class ValueRangeSerializer(serializers.Serializer):
    estimate = serializers.FloatField()
    lower = serializers.FloatField(help_text="-inf or inf where the lift's interval is open.")
    upper = serializers.FloatField()


class MeasuredLiftSerializer(serializers.Serializer):
    variant = serializers.CharField()
    control_value = serializers.FloatField()
    estimate = serializers.FloatField(help_text="Relative lift, 0.05 = +5 %.")
    lower = serializers.FloatField()
    upper = serializers.FloatField()


class BusinessCaseSerializer(serializers.Serializer):
    """Money per year: expected if the hypothesis holds, projected from the measured lift."""

    currency = serializers.CharField()
    expected_lift = serializers.FloatField(allow_null=True, help_text="Relative, 0.05 = +5 %.")
    daily_users = serializers.IntegerField(allow_null=True)
    expected_annual_value = serializers.FloatField(source="expected", allow_null=True)
    measured_lift = MeasuredLiftSerializer(source="measured", allow_null=True)
    projected_annual_value = ValueRangeSerializer(source="projected", allow_null=True)
    missing = serializers.ListField(child=serializers.CharField())


class ExperimentSerializer(serializers.ModelSerializer):
    team = TeamRefSerializer()
    owner = UserRefSerializer(allow_null=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    hypothesis = serializers.SerializerMethodField()
    variants = VariantSerializer(many=True)
    metrics = AttachedMetricSerializer(source="experiment_metrics", many=True)
    custom_fields = serializers.SerializerMethodField(
        help_text="{key: value} of every custom field; null where the test has none."
    )

    class Meta:
        model = Experiment
        fields = [
            "id",
            "team",
            "owner",
            "idea",
            "sprint",
            "title",
            "channel",
            "audience",
            "tags",
            "description",
            "hypothesis",
            "hypothesis_insight",
            "hypothesis_change",
            "hypothesis_effect",
            "mde_relative",
            "planned_duration_days",
            "planned_start",
            "planned_end",
            "plan_baseline",
            "plan_baseline_sd",
            "plan_daily_traffic",
            "plan_alpha",
            "plan_power",
            "plan_sample_size_per_variant",
            "plan_days",
            "status",
            "started_at",
            "stopped_at",
            "concluded_at",
            "archived_at",
            "decision",
            "learning",
            "postmortem_what_happened",
            "postmortem_why",
            "postmortem_next_test",
            "variants",
            "metrics",
            "template",
            "custom_fields",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.CharField())
    def get_hypothesis(self, experiment: Experiment) -> str:
        return hypothesis_sentence(experiment)

    @extend_schema_field(serializers.DictField())
    def get_custom_fields(self, experiment: Experiment) -> dict:
        return custom_fields_out([experiment.pk])[experiment.pk]


class ExperimentDetailSerializer(ExperimentSerializer):
    """One test in full: its history and its business case (money is read per test, so the
    lists, built row by row for speed, leave it out)."""

    history = HistoryEntrySerializer(many=True)
    business_case = serializers.SerializerMethodField()

    class Meta(ExperimentSerializer.Meta):
        fields = [
            *ExperimentSerializer.Meta.fields,
            "value_per_unit",
            "value_expected_lift",
            "value_daily_users",
            "business_case",
            "history",
        ]

    @extend_schema_field(BusinessCaseSerializer)
    def get_business_case(self, experiment: Experiment) -> dict:
        case = business_cases([experiment])[experiment.pk]
        return BusinessCaseSerializer(case).data


def custom_fields_out(ids: list[int]) -> dict[int, dict]:
    """{experiment id: {key: value or None}} for every custom field, in one query."""
    fields = list(CustomField.objects.all())
    stored = {
        (value.experiment_id, value.field_id): value.value
        for value in CustomFieldValue.objects.filter(experiment_id__in=ids)
    }
    out = {}
    for pk in ids:
        out[pk] = {
            field.key: typed(field, stored[pk, field.pk]) if (pk, field.pk) in stored else None
            for field in fields
        }
    return out


class ExperimentInputSerializer(serializers.ModelSerializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    idea = serializers.PrimaryKeyRelatedField(
        queryset=Idea.objects.all(), required=False, allow_null=True
    )
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False)
    tags = TagNames
    custom_fields = serializers.DictField(
        required=False,
        help_text='{key: value} of custom fields to set; null or "" clears one.',
    )

    class Meta:
        model = Experiment
        fields = ["team", "idea", *EXPERIMENT_EDITABLE_FIELDS, "tags", "custom_fields"]

    def validate(self, attrs: dict) -> dict:
        """Every object the body names belongs to the experiment's team."""
        attrs = super().validate(attrs)
        team = attrs.get("team") or self.instance.team
        idea = attrs.get("idea")
        if idea is not None and idea.team_id != team.id:
            raise serializers.ValidationError(
                {"idea": [str(IDEA_OF_ANOTHER_TEAM).format(team=idea.team)]}
            )
        owner_check(attrs.get("owner"), team)
        if "custom_fields" in attrs:
            try:
                attrs["custom_fields"] = custom_values_clean(attrs["custom_fields"])
            except DjangoValidationError as error:
                raise serializers.ValidationError({"custom_fields": error.message_dict}) from None
        return attrs


class ExperimentUpdateSerializer(ExperimentInputSerializer):
    class Meta(ExperimentInputSerializer.Meta):
        fields = [*EXPERIMENT_EDITABLE_FIELDS, "tags", "custom_fields"]


class PlanInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Experiment
        fields = [
            "mde_relative",
            "plan_baseline",
            "plan_baseline_sd",
            "plan_daily_traffic",
            "plan_alpha",
            "plan_power",
        ]
        # The engine needs these three; the rest have defaults or depend on the metric kind.
        extra_kwargs = {
            name: {"required": True, "allow_null": False}
            for name in ("mde_relative", "plan_baseline", "plan_daily_traffic")
        }


class ConcludeInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    learning = serializers.CharField()
    what_happened = serializers.CharField(required=False, allow_blank=True)
    why = serializers.CharField(required=False, allow_blank=True)
    next_test = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Why ship now: needed to ship before the results name a winner or while a"
        " guardrail is not known to be unharmed; kept in the history.",
    )


class SignoffSerializer(serializers.ModelSerializer):
    requested_by = UserRefSerializer(allow_null=True)
    decided_by = UserRefSerializer(allow_null=True)

    class Meta:
        model = SignoffRequest
        fields = [
            "id",
            "experiment",
            "kind",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "reason",
            "proposal",
        ]


class SignoffInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[SignoffRequest.Kind.START], default=SignoffRequest.Kind.START
    )


class RefusalSerializer(serializers.Serializer):
    reason = serializers.CharField()


class TemplateMetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = TemplateMetric
        fields = ["metric", "metric_name", "role"]


class TemplateSerializer(serializers.ModelSerializer):
    team = TeamRefSerializer(allow_null=True)
    metrics = TemplateMetricSerializer(source="template_metrics", many=True)

    class Meta:
        model = ExperimentTemplate
        fields = [
            "id",
            "team",
            "name",
            "description",
            *TEMPLATE_FIELDS,
            "variants",
            "metrics",
            "tags",
            "checklist",
            "analysis_settings",
            "created_at",
            "updated_at",
        ]


class FromTemplateInputSerializer(serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    title = serializers.CharField(max_length=200)
    custom_fields = serializers.DictField(required=False)

    def validate_custom_fields(self, value: dict) -> dict:
        try:
            return custom_values_clean(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None


class DuplicateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CustomFieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomField
        fields = ["id", "key", "label", "kind", "choices", "required_from", "help_text"]
