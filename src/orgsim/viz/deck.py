"""A short slide deck (python-pptx) of a run or a comparison: what a consultant puts in front of a client.

Slides: a title, what happened (the headline sentences and the caveat), one slide per figure,
the headline numbers with their spread, and the inputs in plain words.
"""

from __future__ import annotations

from pathlib import Path

from pptx import Presentation
from pptx.util import Emu, Inches, Pt

from orgsim.metrics import spread_table
from orgsim.viz.narrative import CAVEAT, headline_sentences, inputs_table, spread_cell, title
from orgsim.viz.report import FIGURE_TEXT, HEADLINES

WIDE = (Inches(13.333), Inches(7.5))  # 16:9
TITLE_ONLY, TITLE_SLIDE = 5, 0  # layouts of python-pptx's default template


def deck(path: Path, results: list, figures: list[Path]) -> None:
    """Write a deck about ``results`` (one run, or several compared) with ``figures`` to ``path``."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDE
    names = ", ".join(title(r.scenario) for r in results)
    first = results[0]
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_SLIDE])
    slide.shapes.title.text = names if len(results) == 1 else f"Comparing {names}"
    slide.placeholders[1].text = (f"{first.scenario.organization.n_employees:,} employees, {first.summary['days']} "
                                  f"days, {first.summary['replicates']} runs each — simulated with orgsim "
                                  f"{first.summary['orgsim_version']}")
    lines = [f"{title(r.scenario)}: {s}" if len(results) > 1 else s for r in results for s in headline_sentences(r)]
    _text_slide(prs, "What happened", lines, CAVEAT)
    for figure in figures:
        _picture_slide(prs, FIGURE_TEXT.get(figure.stem, figure.stem), figure)
    spreads = [spread_table(r.replicates, [h.key for h in HEADLINES]) for r in results]
    _table_slide(prs, "Headline numbers (mean, and the spread across runs)",
                 ["metric", *(title(r.scenario) for r in results)],
                 [[h.label, *(spread_cell(s, h.key, h.pattern) for s in spreads)] for h in HEADLINES])
    for r in results:
        _table_slide(prs, f"Inputs: {title(r.scenario)}", ["input", "value"],
                     [list(row) for row in inputs_table(r.scenario)])
    prs.save(str(path))


def _text_slide(prs, heading: str, lines: list[str], footnote: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    slide.shapes.title.text = heading
    body = slide.shapes.add_textbox(Inches(0.8), Inches(1.6), prs.slide_width - Inches(1.6), Inches(4.2)).text_frame
    body.word_wrap = True
    for k, line in enumerate(lines):
        paragraph = body.paragraphs[0] if k == 0 else body.add_paragraph()
        paragraph.text, paragraph.font.size, paragraph.space_after = line, Pt(22), Pt(12)
    note = slide.shapes.add_textbox(Inches(0.8), Inches(6.0), prs.slide_width - Inches(1.6), Inches(1.2)).text_frame
    note.word_wrap = True
    note.paragraphs[0].text, note.paragraphs[0].font.size = footnote, Pt(12)


def _picture_slide(prs, heading: str, figure: Path) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    slide.shapes.title.text = heading
    slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(20)
    top, margin = Inches(1.6), Inches(0.4)
    picture = slide.shapes.add_picture(str(figure), margin, top, height=prs.slide_height - top - margin)
    if picture.width > prs.slide_width - 2 * margin:  # a wide figure: fit the width instead
        scale = (prs.slide_width - 2 * margin) / picture.width
        picture.width, picture.height = Emu(int(picture.width * scale)), Emu(int(picture.height * scale))
    picture.left = Emu(int((prs.slide_width - picture.width) / 2))


def _table_slide(prs, heading: str, header: list[str], rows: list[list[str]]) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    slide.shapes.title.text = heading
    slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(28)
    width = prs.slide_width - Inches(1.0)
    shape = slide.shapes.add_table(len(rows) + 1, len(header), Inches(0.5), Inches(1.5), width,
                                   Inches(0.3) * (len(rows) + 1))
    size = Pt(12 if len(rows) > 12 else 14)
    for r, row in enumerate([header, *rows]):
        for c, value in enumerate(row):
            cell = shape.table.cell(r, c)
            cell.text = str(value)
            cell.text_frame.paragraphs[0].font.size = size
