"""The sprint review as a PDF, for people who were not in the meeting (reportlab, pure Python)."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from analysis.wording import signed_percent
from growthlab.web.templatetags.growthlab import percent_value

STYLES = getSampleStyleSheet()
TABLE_STYLE = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f4f6")),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def text(value: str, style: str = "BodyText") -> Paragraph:
    """A paragraph of people's words: escaped, since reportlab reads its own markup."""
    return Paragraph(escape(value or "").replace("\n", "<br/>"), STYLES[style])


def bullets(items: list[str], empty: str) -> list[Flowable]:
    return [text(f"• {item}") for item in items] or [text(empty)]


def table(rows: list[list]) -> Table:
    cells = [[text(str(cell)) for cell in row] for row in rows]
    return Table(cells, style=TABLE_STYLE, hAlign="LEFT", repeatRows=1)


def signed(value) -> str:
    """A relative change in the reader's number style: "+50%", "+50 %" in Finnish."""
    return "–" if value is None else signed_percent(value)


def percent(value) -> str:
    return percent_value(value, "-1")


def started(experiment) -> str:
    return _("started %(day)s") % {"day": date_format(timezone.localtime(experiment.started_at))}


def review_title(sprint) -> str:
    return _("%(team)s · sprint %(number)s review") % {"team": sprint.team, "number": sprint.number}


def review_story(review, programme: dict) -> list[Flowable]:
    sprint = review.sprint
    starts, ends = date_format(sprint.starts_on), date_format(sprint.ends_on)
    dates = f"{starts} – {ends} · {sprint.get_status_display()}"
    story = [text(review_title(sprint), "Title"), text(dates)]
    if sprint.goal:
        story.append(text(sprint.goal))
    story += [text(_("What launched"), "Heading2")]
    story += bullets(
        [f"{e.title} ({started(e)})" for e in review.launched],
        _("Nothing launched in this sprint."),
    )
    story += [text(_("What concluded, and how"), "Heading2")]
    rows = [[_("Test"), _("Outcome"), _("Decision")]]
    rows += [[e.title, e.outcome, e.get_decision_display()] for e in review.concluded]
    story.append(table(rows) if review.concluded else text(_("No test concluded in this sprint.")))
    story += [text(_("Learnings and post-mortems"), "Heading2")]
    for e in review.learnings:
        story += [text(e.title, "Heading4"), text(f"{_('What we learned:')} {e.learning}")]
        if e.postmortem_why:
            story.append(text(f"{_('Why we think so:')} {e.postmortem_why}"))
    story += [text(_("Guardrails harmed"), "Heading2")]
    no_harm = (
        _("No guardrail was harmed.") if not review.not_known else _("None known to be harmed.")
    )
    story += bullets(
        [
            _("%(metric)s %(lift)s with %(variant)s on %(title)s")
            % {
                "metric": h.metric,
                "lift": signed(h.lift),
                "variant": h.variant,
                "title": h.experiment.title,
            }
            for h in review.harmed
        ],
        no_harm,
    )
    if review.not_known:
        story += [text(_("Guardrails not known yet"), "Heading2")]
        unknown = [
            _("%(metric)s on %(title)s: %(sentence)s")
            % {"metric": u.metric, "title": u.experiment.title, "sentence": u.sentence}
            for u in review.not_known
        ]
        story += bullets(unknown, "")
    story += [text(_("Carried over"), "Heading2")]
    story += bullets([e.title for e in review.carried_over], _("Nothing left unfinished."))
    story += [text(_("Candidates for the next sprint"), "Heading2")]
    story += bullets([i.title for i in review.candidates], _("The backlog has no new ideas."))
    return story + notes_story(sprint) + programme_story(programme)


def notes_story(sprint) -> list[Flowable]:
    if not sprint.review_notes:
        return []
    story = [text(_("Notes of the review meeting"), "Heading2"), text(sprint.review_notes)]
    if sprint.action_items:
        story += [text(_("Action items"), "Heading3"), text(sprint.action_items)]
    return story


def programme_story(programme: dict) -> list[Flowable]:
    headings = (_("Sprint"), _("Launched"), _("Concluded"), _("Win rate"), _("With a learning"))
    rows = [[*headings, _("Median days")]]
    for r in programme["rows"]:
        days = (
            "–" if r.median_days_to_decision is None else floatformat(r.median_days_to_decision, -1)
        )
        rows.append(
            [r.label, r.launched, r.concluded, percent(r.win_rate), percent(r.learning_share), days]
        )
    return [text(_("Programme health up to this sprint"), "Heading2"), table(rows)]


def review_pdf_response(review, programme: dict) -> HttpResponse:
    buffer = BytesIO()
    sprint = review.sprint
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        # The title a PDF reader shows in its window, in the reader's language as the page's.
        title=review_title(sprint),
        author="GrowthLab",
    )
    footer = _("GrowthLab · exported %(when)s") % {
        "when": date_format(timezone.localtime(), "DATETIME_FORMAT")
    }
    document.build([*review_story(review, programme), Spacer(1, 6 * mm), text(footer)])
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    name = f"{sprint.team.slug}-sprint-{sprint.number}-review.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
