"""Forms of the outcome pages: the upload, the column mapping and typed counts."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from growthlab.web.forms import localize_numbers
from metrics.ingestion.dialect import DATE_ORDERS, DECIMALS, ENCODINGS, THOUSANDS
from metrics.ingestion.problems import Problem
from metrics.ingestion.ranges import MAX_TOTAL, MAX_USERS
from metrics.ingestion.segments import MAX_DIMENSION_LENGTH, MAX_SEGMENT_LENGTH
from metrics.ingestion.wording import more_problems, problem_shown
from metrics.models import DataSource, MetricKind

NO_COLUMN = ("", _("— not in this file —"))
MAPPING_PARTS = ("column", "denominator", "pre", "pre_denominator")
# A ratio metric's pre-period, both parts or neither: CUPED for revenue per order, say.
RATIO_PRE_LABELS = {
    "pre": _("pre-period numerator (CUPED, optional)"),
    "pre_denominator": _("pre-period denominator (CUPED, optional)"),
}
SEPARATOR_LABELS = {
    ",": _("comma ,"),
    ";": _("semicolon ;"),
    "\t": _("tab"),
    "|": _("vertical bar |"),
}
KEY_LABELS = {"user": _("User id"), "variant": _("Variant"), "date": _("Exposure date")}
KEY_COLUMN_LABELS = {
    "user": _("User id column"),
    "variant": _("Variant column"),
    "date": _("Exposure date column"),
}
BAD_VALUE_LINE = _("Write one “file value = variant” per line, not “{line}”.")
DIMENSIONS_HELP = _(
    "Columns whose value splits the results into segments (device, country, channel …). "
    "An empty value is its own segment, “(none)”; beyond 50 values the rest are shown "
    "together as “other”."
)
DIMENSIONS_TEXT_HELP = _(
    "Column names separated by commas, e.g. “device, country”. An empty value is its own "
    "segment, “(none)”; beyond 50 values the rest are shown together as “other”."
)


def dimensions_field() -> forms.CharField:
    """Dimension columns typed by name, where the columns are not known before loading."""
    return forms.CharField(
        label=_("Dimension columns (optional)"),
        required=False,
        max_length=1000,
        help_text=DIMENSIONS_TEXT_HELP,
    )


def dimensions_parse(text: str) -> list[str]:
    """“device, country” → ["device", "country"], each once, in the order written."""
    return list(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))


class DialectForm(forms.Form):
    """How the file is written, as detected; each choice can be changed before loading."""

    # Not required: a choice left out (a script posting only the columns) keeps the detected one.
    encoding = forms.ChoiceField(
        label=_("Encoding"),
        choices=[(key, _(label)) for key, label in ENCODINGS.items()],
        required=False,
    )
    separator = forms.ChoiceField(
        label=_("Separator"), choices=list(SEPARATOR_LABELS.items()), required=False
    )
    decimal = forms.ChoiceField(
        label=_("Decimal mark"),
        choices=[(key, _(label)) for key, label in DECIMALS.items()],
        required=False,
    )
    thousands = forms.ChoiceField(
        label=_("Thousands separator"),
        choices=[(key, _(label)) for key, label in THOUSANDS.items()],
        required=False,
    )
    date_order = forms.ChoiceField(
        label=_("Dates"),
        choices=[
            ("", _("— pick the order of day and month —")),
            *((key, _(label)) for key, (_format, label) in DATE_ORDERS.items()),
        ],
        required=False,
    )
    header_line = forms.IntegerField(
        label=_("Header on line"), min_value=1, max_value=1000, required=False
    )

    def __init__(self, *args, sheets: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        if sheets:
            self.fields["sheet"] = forms.ChoiceField(
                label=_("Sheet"), choices=[(name, name) for name in sheets], required=False
            )

    def choices(self) -> dict:
        """The choices posted; one left out is None, and keeps what was detected."""
        posted = {name: value for name, value in self.cleaned_data.items() if name in self.data}
        return {
            name: value
            for name, value in posted.items()
            if value not in (None, "") or name == "thousands"
        }


class UploadForm(forms.Form):
    file = forms.FileField(
        help_text="One row per user: CSV (also .csv.gz), Parquet or XLSX; at most 500 MB."
    )


class MappingForm(forms.Form):
    """One select per role; the choices are the file's own columns."""

    variant_values = forms.CharField(
        label=_("Variant values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Values are matched to the test's variants in any case (“control” is “Control”). "
            "Other spellings: one “file value = variant” per line, e.g. “ctrl = Control”."
        ),
    )

    def __init__(self, *args, columns: list[str], metrics: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [NO_COLUMN, *[(name, name) for name in columns]]
        for role in ("user", "variant", "date"):
            self.fields[role] = forms.ChoiceField(label=KEY_LABELS[role], choices=choices)
        self.fields["variant_values"] = self.fields.pop("variant_values")  # after the variant
        self.metrics = metrics
        for i, (name, kind) in enumerate(metrics.items()):
            first = _("{metric}: numerator") if kind == MetricKind.RATIO else _("{metric}: value")
            self.fields[f"m{i}_column"] = forms.ChoiceField(
                label=first.format(metric=name), choices=choices, required=False
            )
            if kind == MetricKind.RATIO:
                self.fields[f"m{i}_denominator"] = forms.ChoiceField(
                    label=_("{metric}: denominator").format(metric=name),
                    choices=choices,
                    required=False,
                )
                for part, label in RATIO_PRE_LABELS.items():
                    self.fields[f"m{i}_{part}"] = forms.ChoiceField(
                        label=_("{metric}: {part}").format(metric=name, part=label),
                        choices=choices,
                        required=False,
                    )
            if kind == MetricKind.MEAN:
                self.fields[f"m{i}_pre"] = forms.ChoiceField(
                    label=_("{metric}: pre-period covariate (CUPED, optional)").format(metric=name),
                    choices=choices,
                    required=False,
                )
        self.fields["dimensions"] = forms.MultipleChoiceField(
            label=_("Dimensions (optional)"),
            choices=choices[1:],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=DIMENSIONS_HELP,
        )

    @classmethod
    def initial_from(cls, mapping: dict, metrics: dict[str, str]) -> dict:
        initial = {role: mapping.get(role, "") for role in ("user", "variant", "date")}
        for i, name in enumerate(metrics):
            for part, value in ((mapping.get("metrics") or {}).get(name) or {}).items():
                initial[f"m{i}_{part}"] = value
        initial["dimensions"] = list(mapping.get("dimensions") or [])
        return initial

    def mapping(self) -> dict:
        data = self.cleaned_data
        metrics = {}
        for i, name in enumerate(self.metrics):
            parts = {p: data.get(f"m{i}_{p}") for p in MAPPING_PARTS}
            metrics[name] = {p: v for p, v in parts.items() if v}
        return {
            "user": data["user"],
            "variant": data["variant"],
            "date": data["date"],
            "metrics": metrics,
            "variant_values": data.get("variant_values") or {},
            "dimensions": list(data.get("dimensions") or []),
        }

    def clean_variant_values(self) -> dict[str, str]:
        return variant_values_parse(self.cleaned_data.get("variant_values") or "")


def variant_values_parse(text: str) -> dict[str, str]:
    """“ctrl = Control” lines → {"ctrl": "Control"}; raise ValidationError for another line."""
    values = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        value, sep, name = line.partition("=")
        if not sep or not value.strip() or not name.strip():
            raise forms.ValidationError(BAD_VALUE_LINE.format(line=line.strip()))
        values[value.strip()] = name.strip()
    return values


def variant_values_text(values: dict[str, str]) -> str:
    return "\n".join(f"{value} = {name}" for value, name in values.items())


TYPED_PARTS = ("users", "conversions", "sum", "sum_squares")
TYPED_ROWS_MAX = 150  # each row is six fields; Django refuses a post of over 1,000 fields
ROW_FIELD_LABELS = {
    "variant": _("Row {row}: variant"),
    "segment": _("Row {row}: segment"),
    "users": _("Row {row}: users"),
    "conversions": _("Row {row}: conversions (conversion metrics)"),
    "sum": _("Row {row}: sum of values (mean metrics)"),
    "sum_squares": _("Row {row}: sum of squared values (mean metrics)"),
}
SEGMENT_WITHOUT_DIMENSION = _("Row {row} has a segment value; name its dimension above.")
DIMENSION_WITHOUT_SEGMENT = _(
    "No row has a segment value of {dimension}: type each row's segment, or leave the "
    "dimension empty."
)
NO_TYPED_ROW = _("Type the counts of at least one row.")
TOO_MANY_TYPED_ROWS = _("At most {limit} rows can be typed in; upload a counts file instead.")


class CountsForm(forms.Form):
    """Counts typed in for an offline test: per row a variant and its users and conversions, or
    sum and Σx²; with a dimension, each row is one segment of it, as a counts file's row is.

    A row left empty is skipped. A script that posts only the counts of the first rows, as
    before rows had a variant field, gets the variants in order.
    """

    def __init__(self, *args, metrics: dict[str, str], variants: list[str], rows=None, **kwargs):
        super().__init__(*args, **kwargs)
        countable = [(n, n) for n, kind in metrics.items() if kind != MetricKind.RATIO]
        self.fields["metric"] = forms.ChoiceField(label=_("Metric"), choices=countable)
        self.fields["date"] = forms.DateField(
            label=_("Exposure date"),
            required=False,
            help_text=_("Leave empty for counts over the whole test."),
        )
        self.fields["dimension"] = forms.CharField(
            label=_("Dimension (optional)"),
            required=False,
            max_length=MAX_DIMENSION_LENGTH,
            help_text=_(
                "A name such as “device”: each row is then the counts of one segment, typed "
                "in its segment column, and the whole test is their sum. An empty segment is "
                "its own segment, “(none)”; beyond 50 values the rest are shown together as "
                "“other”."
            ),
        )
        self.variants = variants
        self.rows = typed_rows_count(self.data, len(variants), rows)
        choices = [(name, name) for name in variants]
        for i in range(self.rows):
            labels = {part: label.format(row=i + 1) for part, label in ROW_FIELD_LABELS.items()}
            self.fields[f"v{i}_variant"] = forms.ChoiceField(
                label=labels["variant"], choices=choices, required=False
            )
            default_variant = variants[i % len(variants)] if variants else ""
            self.initial.setdefault(f"v{i}_variant", default_variant)
            self.fields[f"v{i}_segment"] = forms.CharField(
                label=labels["segment"], required=False, max_length=MAX_SEGMENT_LENGTH
            )
            # The same ranges as a push or a file (metrics.ingestion.ranges).
            self.fields[f"v{i}_users"] = forms.IntegerField(
                label=labels["users"], min_value=0, max_value=MAX_USERS, required=False
            )
            self.fields[f"v{i}_conversions"] = forms.IntegerField(
                label=labels["conversions"], min_value=0, max_value=MAX_USERS, required=False
            )
            self.fields[f"v{i}_sum"] = forms.FloatField(
                label=labels["sum"], min_value=-MAX_TOTAL, max_value=MAX_TOTAL, required=False
            )
            self.fields[f"v{i}_sum_squares"] = forms.FloatField(
                label=labels["sum_squares"], min_value=0, max_value=MAX_TOTAL, required=False
            )
        localize_numbers(self)

    def grid(self) -> list[dict]:
        """The rows as the page lays them out: one line of bound fields per row."""
        parts = ("variant", "segment", *TYPED_PARTS)
        return [{part: self[f"v{i}_{part}"] for part in parts} for i in range(self.rows)]

    def typed(self) -> list[int]:
        """The rows with anything typed in, by index; a variant alone is the page's default."""
        data = self.cleaned_data
        parts = ("segment", *TYPED_PARTS)
        return [
            i
            for i in range(self.rows)
            if any(data.get(f"v{i}_{part}") not in (None, "") for part in parts)
        ]

    def clean(self):
        data = super().clean()
        if self.rows > TYPED_ROWS_MAX:
            raise forms.ValidationError(TOO_MANY_TYPED_ROWS.format(limit=TYPED_ROWS_MAX))
        if self.errors:
            return data
        typed = self.typed()
        if not typed:
            raise forms.ValidationError(NO_TYPED_ROW)
        dimension = data.get("dimension", "").strip()
        with_segment = [i for i in typed if data.get(f"v{i}_segment", "").strip()]
        if not dimension:
            for i in with_segment:
                self.add_error(f"v{i}_segment", SEGMENT_WITHOUT_DIMENSION.format(row=i + 1))
        elif not with_segment:
            self.add_error("dimension", DIMENSION_WITHOUT_SEGMENT.format(dimension=dimension))
        data["dimension"] = dimension
        return data

    def payload(self) -> list[dict]:
        """The typed rows as reduce_counts() reads them, in the order of typed()."""
        data = self.cleaned_data
        day = data["date"].isoformat() if data.get("date") else ""
        dimension = data.get("dimension", "")
        rows = []
        for i in self.typed():
            variant = data.get(f"v{i}_variant") or self.variants[i % len(self.variants)]
            row = {"metric": data["metric"], "variant": variant, "date": day}
            for part in TYPED_PARTS:
                value = data.get(f"v{i}_{part}")
                row[part] = "" if value is None else value
            if dimension:
                row["segments"] = {dimension: data.get(f"v{i}_segment", "")}
            rows.append(row)
        return rows

    def problems_show(self, problems: list[Problem], more: int = 0) -> None:
        """Each refusal of reduce_counts() on the field it names. Its data row is a typed()
        row, renumbered as the page numbers it; a bad dimension name is the dimension's."""
        typed = self.typed()
        for problem in problems:
            if problem.column == "segments":
                self.add_error("dimension", problem_shown(problem)["message"])
                continue
            index = typed[problem.row - 1] if problem.row else None
            row = None if index is None else index + 1
            field = PROBLEM_FIELDS.get(problem.column, f"v{index}_{problem.column}")
            text = problem_shown(Problem(problem.message, row, problem.column))["text"]
            self.add_error(field if field in self.fields else None, text)
        if more:
            self.add_error(None, more_problems(more))


PROBLEM_FIELDS = {"metric": "metric", "date": "date", "segments": "dimension"}
POSTED_ROW = re.compile(r"v(\d+)_")


def typed_rows_count(data, variants: int, asked: int | None) -> int:
    """Rows on the page: as many as were posted (at least one per variant), else as asked for,
    else two per variant; one over the limit when more were posted, so clean() refuses."""
    least = max(variants, 1)
    if data:
        indexes = [int(m[1]) for key in data if (m := POSTED_ROW.match(key))]
        posted = max(indexes, default=-1) + 1
        return min(max(posted, least), TYPED_ROWS_MAX + 1)
    return min(max(asked or 2 * least, least), TYPED_ROWS_MAX)


class CountsFileForm(forms.Form):
    """A counts export for one metric: a row per variant, or per variant and day."""

    file = forms.FileField(
        help_text=_("CSV (also .csv.gz) with a header row; any separator and decimal mark.")
    )
    COLUMN_ROLES = {
        "users": _("Column of users"),
        "conversions": _("Column of conversions"),
        "sum": _("Column of the sum of values"),
        "sum_squares": _("Column of the sum of squared values"),
    }

    def __init__(self, *args, metrics: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"] = forms.ChoiceField(choices=[(name, name) for name in metrics])
        for role, label in self.COLUMN_ROLES.items():
            self.fields[f"column_{role}"] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                help_text=_("Leave empty to use the column with the usual name."),
            )
        self.fields["dimensions"] = dimensions_field()
        self.order_fields(["metric", "file"])

    def columns(self) -> dict[str, str]:
        return {role: self.cleaned_data.get(f"column_{role}") or "" for role in self.COLUMN_ROLES}

    def clean_dimensions(self) -> list[str]:
        return dimensions_parse(self.cleaned_data.get("dimensions") or "")


class DataSourceForm(forms.ModelForm):
    """Name, team and connection URL; the saved URL is never put back in the form."""

    url = forms.CharField(
        label=_("Connection URL"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "SQLAlchemy URL, e.g. postgresql+psycopg://user:password@host:5432/db. "
            "Stored encrypted; leave empty to keep the saved one."
        ),
    )

    class Meta:
        model = DataSource
        fields = ["name", "team"]

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = self.fields["team"].queryset.filter(
            pk__in=[team.pk for team in teams]
        )


class ExperimentQueryForm(forms.Form):
    """The source, the per-user query, and which of its columns is what."""

    def __init__(self, *args, sources, metrics: dict[str, str], attached=None, **kwargs):
        mapping = attached.mapping if attached else {}
        initial = MappingForm.initial_from(mapping, metrics)
        if attached:
            initial.update(source=attached.source_id, query=attached.query)
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["source"] = forms.TypedChoiceField(
            choices=[(s.pk, s.name) for s in sources], coerce=int
        )
        self.sources = {s.pk: s for s in sources}
        self.fields["query"] = forms.CharField(
            widget=forms.Textarea(attrs={"rows": 8}),
            help_text=_("One row per user; its columns are named below."),
        )
        for role, label in KEY_COLUMN_LABELS.items():
            self.fields[role] = forms.CharField(label=label)
        self.metrics = metrics
        for i, (name, kind) in enumerate(metrics.items()):
            self.fields[f"m{i}_column"] = forms.CharField(
                label=_("{metric}: column").format(metric=name), required=False
            )
            if kind == MetricKind.RATIO:
                self.fields[f"m{i}_denominator"] = forms.CharField(
                    label=_("{metric}: denominator column").format(metric=name), required=False
                )
                for part, label in RATIO_PRE_LABELS.items():
                    self.fields[f"m{i}_{part}"] = forms.CharField(
                        label=_("{metric}: {part} column").format(metric=name, part=label),
                        required=False,
                    )
            if kind == MetricKind.MEAN:
                self.fields[f"m{i}_pre"] = forms.CharField(
                    label=_("{metric}: pre-period column (CUPED, optional)").format(metric=name),
                    required=False,
                )
        self.fields["dimensions"] = dimensions_field()
        self.initial["dimensions"] = ", ".join(initial.get("dimensions") or [])

    def clean_dimensions(self) -> list[str]:
        return dimensions_parse(self.cleaned_data.get("dimensions") or "")

    def values(self) -> dict:
        data = self.cleaned_data
        mapping = MappingForm.mapping(self)
        return {"source": self.sources[data["source"]], "query": data["query"], "mapping": mapping}
