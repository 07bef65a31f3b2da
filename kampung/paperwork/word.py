"""The visit report as a Word file, for staff who must edit its words before it goes up: the same
facts as the print page (kampung.paperwork.laporan.report), with real headings (Heading 1 for
the sections, 2 and 3 below), tables for the figures, a page number in the footer. The charts
become bars of block characters, which survive any editing. Every text passes
kampung.text.readable: what XML refuses (a stored control character) is left out."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from flask_babel import format_decimal, ngettext, pgettext
from flask_babel import gettext as _

from kampung.feedback.models import Kind
from kampung.i18n import number, wib_date, wib_datetime
from kampung.schedule.service import when_text
from kampung.text import readable

#: a bar of the chart is this many blocks at 100%
BAR = 20


def _para(doc, text: str = "", style: str | None = None):
    return doc.add_paragraph(readable(text), style=style)


def _heading(doc, text: str, level: int):
    return doc.add_heading(readable(text), level)


def _run(paragraph, text: str):
    return paragraph.add_run(readable(text))


def _table(doc, header: list[str], rows: list[list[str]]) -> Table:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = readable(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = readable(text)
    return table


def _page_number(doc) -> None:
    """A PAGE field, centred in the footer."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _heading_block(doc, r: dict) -> None:
    for line in (
        _("City government of %(city)s", city=r["city"]),
        _("%(programme)s programme", programme=r["programme"]),
        _("RT heads' forum"),
    ):
        paragraph = _para(
            doc,
        )
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(paragraph, line.upper()).bold = True
    _heading(doc, _("Visit report"), 0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = _para(
        doc,
    )
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(subtitle, r["trip"].title).bold = True
    printed = _para(doc, _("Printed %(when)s", when=wib_datetime(r["printed_at"])))
    printed.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _who(doc, r: dict) -> None:
    went = r["went"]
    _para(
        doc,
        ngettext(
            "%(num)s participant was checked in at departure.",
            "%(num)s participants were checked in at departure.",
            len(went),
        )
        + (" " + _("Their names are in the appendix.") if went else ""),
    )
    if r["per_kecamatan"]:
        rows = [[k or "–", number(n)] for k, n in r["per_kecamatan"]]
        _table(doc, [_("Kecamatan"), _("Participants")], [*rows, [_("Total"), number(len(went))]])


def _rundown(doc, r: dict) -> None:
    if not r["days"]:
        _para(doc, _("The rundown was not published."))
        return
    _para(
        doc,
        _(
            "Times in WIB. Items changed after the rundown was published are marked; cancelled "
            "items are struck through."
        ),
    )
    table = _table(doc, [_("Time"), _("Activity"), _("Place")], [])
    for day in r["days"]:
        label = wib_date(day.day)
        if day.number:
            label = f"{_('Day %(n)d', n=day.number)} · {label}"
        cells = table.add_row().cells
        merged = cells[0].merge(cells[2])
        merged.text = readable(label)
        merged.paragraphs[0].runs[0].bold = True
        for item in day.items:
            cells = table.add_row().cells
            cells[0].text = readable(when_text(item.starts_at, item.ends_at))
            what = _run(cells[1].paragraphs[0], item.what)
            if item.is_cancelled:
                what.font.strike = True
                _run(cells[1].paragraphs[0], f" ({pgettext('report', 'cancelled')})").bold = True
            elif item.id in r["changed"]:
                _run(cells[1].paragraphs[0], f" ({pgettext('report', 'changed')})").bold = True
            cells[2].text = readable(item.place)


def _question(doc, item, locale: str) -> None:
    s = item.summary
    q = s.question
    _heading(doc, q.label(locale), 2)
    if q.kind in (Kind.rating, Kind.nps) and s.average is not None:
        scale = _("of 5") if q.kind == Kind.rating else _("of 10")
        figures = format_decimal(s.average, format="#,##0.0")
        _para(
            doc,
            f"{figures} {_('average')} {scale} · "
            + ngettext("%(num)s answer", "%(num)s answers", s.answered),
        )
    elif q.kind in (Kind.short_text, Kind.long_text):
        _para(doc, ngettext("%(num)s comment", "%(num)s comments", s.answered))
    else:
        _para(doc, ngettext("%(num)s answer", "%(num)s answers", s.answered))
    if item.said:
        _para(doc, item.said)
    if s.buckets:
        rows = [
            [b.label, "█" * round(b.share * BAR / 100) or "·", f"{b.count} ({round(b.share)}%)"]
            for b in s.buckets
        ]
        _table(doc, [_("Answer"), _("Chart"), _("Count")], rows)
    for said in item.quotes:
        _para(doc, f"“{said}”", style="List Bullet")
    if item.themes:
        _para(
            doc,
            _(
                "The comments grouped by the words they contain (a comment naming two themes "
                "counts under the first):"
            ),
        )
        for theme in item.themes:
            count = ngettext("%(num)s comment", "%(num)s comments", theme.count)
            _heading(doc, f"{theme.label} ({count})", 3)
            for said in theme.quotes:
                _para(doc, f"“{said}”", style="List Bullet")


def _said(doc, r: dict, locale: str) -> None:
    rate = r["rate"]
    if rate is None:
        _para(doc, _("This trip has no survey."))
        return
    line = _("%(answered)s of %(invited)s answered", answered=rate.answered, invited=rate.invited)
    line += f" ({round(rate.percent)}%)."
    if r["survey"].anonymous:
        line += " " + _("The survey was anonymous.")
    _para(doc, line)
    for item in r["questions"]:
        _question(doc, item, locale)
    if not r["questions"]:
        _para(doc, _("No answers can be shown yet."))


def _practices(doc, r: dict) -> None:
    for p in r["practices"]:
        _heading(doc, p.name, 2)
        if p.quote:
            _para(doc, f"“{p.quote}”").runs[0].italic = True
        line = ngettext(
            "%(num)s commitment to adopt it.", "%(num)s commitments to adopt it.", p.committed
        )
        if p.people:
            who = ", ".join(f"{name} (RT/RW {rt_rw}, {kel})" for name, rt_rw, kel in p.people)
            more = " " + _("and %(n)s more", n=p.more) if p.more else ""
            line += f" {_('Adopted by:')} {who}{more}."
        _para(doc, line)
    if not r["practices"]:
        _para(doc, _("No practice has been named yet."))


def _rtl(doc, r: dict) -> None:
    c = r["commitments"]
    _para(
        doc, _("%(total)s commitments made by %(people)s RT heads.", total=c.total, people=c.people)
    )
    if not c.rounds:
        _para(
            doc,
            _("No follow-up round has run yet: their status comes once the first round has run."),
        )
        return
    labels = r["status_labels"]
    header = [_("Follow-up round"), _("Answered"), *[str(labels[s]) for s in r["progress"]]]
    rows = [
        [
            _("Round %(n)s", n=x.number),
            f"{x.answered} / {x.expected}",
            *[str(x.by_status[s]) for s in r["progress"]],
        ]
        for x in c.rounds
    ]
    _table(doc, header, rows)


def _signatures(doc, r: dict) -> None:
    _para(doc, _("This report is made truthfully, to be used as needed."))
    place = _para(doc, f"{r['city']}, {wib_date(r['printed_at'])}")
    place.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table = doc.add_table(rows=1, cols=2)
    blank = "\n\n\n\n( ………………………………… )"
    table.rows[0].cells[0].text = readable(_("Chair of the RT heads' forum,") + blank)
    table.rows[0].cells[1].text = readable(
        _("Head of Office / Responsible official,") + blank + f"\n{_('NIP')}. ……………………………"
    )


def _appendix(doc, r: dict) -> None:
    doc.add_page_break()
    _heading(doc, r["titles"]["appendix"], 1)
    _para(
        doc,
        _("Checked in at departure (%(checkpoint)s).", checkpoint=r["trip"].checkpoints[0].name),
    )
    rows = [[str(i), w.full_name, w.rt_rw, w.kelurahan] for i, w in enumerate(r["went"], 1)]
    _table(doc, [_("No."), _("Name"), "RT/RW", _("Kelurahan")], rows)


def report_docx(r: dict, locale: str) -> bytes:
    """The report (laporan.report's facts) as a .docx file's bytes."""
    doc = Document()
    doc.styles["Normal"].font.size = Pt(11)
    _page_number(doc)
    _heading_block(doc, r)
    t = r["titles"]
    _heading(doc, t["purpose"], 1)
    for para in r["purpose"].split("\n"):
        if para.strip():
            _para(doc, para.strip())
    _heading(doc, t["when"], 1)
    trip = r["trip"]
    for label, value in (
        (_("From"), trip.origin or "–"),
        (_("To"), trip.destination or "–"),
        (_("Departure"), wib_datetime(trip.departs_at)),
        (_("Return"), wib_datetime(trip.returns_at)),
    ):
        paragraph = _para(
            doc,
        )
        _run(paragraph, f"{label}: ").bold = True
        _run(paragraph, value)
    _heading(doc, t["who"], 1)
    _who(doc, r)
    _heading(doc, t["rundown"], 1)
    _rundown(doc, r)
    _heading(doc, t["said"], 1)
    _said(doc, r, locale)
    _heading(doc, t["practices"], 1)
    _practices(doc, r)
    _heading(doc, t["rtl"], 1)
    _rtl(doc, r)
    _signatures(doc, r)
    if r["went"]:
        _appendix(doc, r)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
