"""The sprint review as a PDF, for people who were not in the meeting (reportlab, pure Python)."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from metrics.stats.wording import signed_percent

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
    return "–" if value is None else signed_percent(value)


def percent(value) -> str:
    return "–" if value is None else f"{value:g}%"


def review_story(review, programme: dict) -> list[Flowable]:
    sprint = review.sprint
    dates = (
        f"{sprint.starts_on:%-d %b} – {sprint.ends_on:%-d %b %Y} · {sprint.get_status_display()}"
    )
    story = [text(f"{sprint.team} · sprint {sprint.number} review", "Title"), text(dates)]
    if sprint.goal:
        story.append(text(sprint.goal))
    story += [text("What launched", "Heading2")]
    story += bullets(
        [f"{e.title} (started {e.started_at:%-d %b})" for e in review.launched],
        "Nothing launched in this sprint.",
    )
    story += [text("What concluded, and how", "Heading2")]
    rows = [["Test", "Outcome", "Decision"]]
    rows += [[e.title, e.outcome, e.get_decision_display()] for e in review.concluded]
    story.append(table(rows) if review.concluded else text("No test concluded in this sprint."))
    story += [text("Learnings and post-mortems", "Heading2")]
    for e in review.learnings:
        story += [text(e.title, "Heading4"), text(f"What we learned: {e.learning}")]
        if e.postmortem_why:
            story.append(text(f"Why we think so: {e.postmortem_why}"))
    story += [text("Guardrails harmed", "Heading2")]
    no_harm = "No guardrail was harmed." if not review.not_known else "None known to be harmed."
    story += bullets(
        [
            f"{h.metric} {signed(h.lift)} with {h.variant} on {h.experiment.title}"
            for h in review.harmed
        ],
        no_harm,
    )
    if review.not_known:
        story += [text("Guardrails not known yet", "Heading2")]
        unknown = [f"{u.metric} on {u.experiment.title}: {u.sentence}" for u in review.not_known]
        story += bullets(unknown, "")
    story += [text("Carried over", "Heading2")]
    story += bullets([e.title for e in review.carried_over], "Nothing left unfinished.")
    story += [text("Candidates for the next sprint", "Heading2")]
    story += bullets([i.title for i in review.candidates], "The backlog has no new ideas.")
    return story + notes_story(sprint) + programme_story(programme)


def notes_story(sprint) -> list[Flowable]:
    if not sprint.review_notes:
        return []
    story = [text("Notes of the review meeting", "Heading2"), text(sprint.review_notes)]
    if sprint.action_items:
        story += [text("Action items", "Heading3"), text(sprint.action_items)]
    return story


def programme_story(programme: dict) -> list[Flowable]:
    rows = [["Sprint", "Launched", "Concluded", "Win rate", "With a learning", "Median days"]]
    for r in programme["rows"]:
        days = "–" if r.median_days_to_decision is None else f"{r.median_days_to_decision:g}"
        rows.append(
            [r.label, r.launched, r.concluded, percent(r.win_rate), percent(r.learning_share), days]
        )
    return [text("Programme health up to this sprint", "Heading2"), table(rows)]


def review_pdf_response(review, programme: dict) -> HttpResponse:
    buffer = BytesIO()
    sprint = review.sprint
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        title=f"{sprint} review",
        author="GrowthLab",
    )
    footer = f"GrowthLab · exported {timezone.localtime():%-d %b %Y %H:%M}"
    document.build([*review_story(review, programme), Spacer(1, 6 * mm), text(footer)])
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    name = f"{sprint.team.slug}-sprint-{sprint.number}-review.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
