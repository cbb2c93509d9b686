"""Closed method sections (kit/fold.py) and the hand-out's prediction fold: drawn by marimo as an
accordion, by the static export as <details> — same content, closed."""

import marimo as mo

from poisoncourse.kit import fold, predict
from poisoncourse.tools import site

from .test_predict import A_WINS, BIGGER


def test_a_methods_section_is_closed_and_keeps_its_content():
    text = mo.as_html(fold.how("The sweep ran **10 seeds**.", mo.md("`data/reference/width.csv`"))).text
    assert "marimo-accordion" in text and "data-expanded='[]'" in text and "width.csv" in text


def test_the_export_turns_a_closed_section_into_details_with_its_content():
    page = site.Page()
    out = site.convert(mo.as_html(fold.departs("Early stopping on the **test** set $\\beta$.")).text, page)
    assert out.startswith('<details class="fold"><summary>') and fold.DEPARTS in out
    assert "<strong>test</strong>" in out and "<math" in out and "marimo-" not in out


def test_predict_the_hand_outs_check_converts_to_plain_details():
    shown = predict.verdict_view(BIGGER, None, A_WINS, mo.md("THE RESULT"), is_live=False, off=False)
    out = site.convert(mo.as_html(shown).text, site.Page())
    assert '<details class="predict">' in out and "✓ a" in out and "marimo-" not in out
