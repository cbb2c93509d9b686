"""Static pages from a lesson's outputs: no Python, no network, no CDN.

A lesson run headless (``app.run()``) hands back each cell's output as marimo HTML, whose custom
elements (``<marimo-tex>``, ``<marimo-mime-renderer>``, ``<marimo-ui-element>`` …) need marimo's
frontend, loaded from a CDN. This module turns that HTML into plain HTML a browser shows on its
own: TeX becomes MathML (browsers render it natively), each altair chart becomes a Vega-Lite spec
drawn by the Vega bundle inlined in the page (so a chart's bound sliders keep working), a form
becomes the list of settings the page was made with, and stats and callouts become boxes.

An element this module does not know is an error, not a silent gap: a marimo upgrade that
changes its output makes the export fail loudly (and the tests with it).
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from dataclasses import dataclass, field

import latex2mathml.converter

from ..core.errors import CourseError


class ExportError(CourseError):
    """A lesson's output could not be turned into a static page."""


VEGA_LITE_VERSION = "6.4"  # altair 6's specs; the bundle below must draw them

_TEX = re.compile(r'<marimo-tex class="arithmatex">\|\|([(\[])(.*?)\|\|[)\]]</marimo-tex>', re.S)
_ATTRS = re.compile(r"([\w-]+)='([^']*)'")
_OPEN = re.compile(r"<(marimo-[a-z-]+)([^>]*)>")


def _attrs(text: str) -> dict:
    """marimo writes attributes single-quoted with JSON values inside."""
    out = {}
    for key, value in _ATTRS.findall(text):
        raw = html.unescape(value).replace("&#92;", "\\")
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            out[key] = raw
    return out


def mathml(tex: str, display: bool) -> str:
    try:
        return _styled_letters(latex2mathml.converter.convert(tex, display="block" if display else "inline"))
    except Exception:  # noqa: BLE001 — an unsupported macro: show the TeX, do not lose the sentence
        return f'<code class="tex">{html.escape(tex)}</code>'


# latex2mathml writes `\mathcal N` (no braces) as <mi mathvariant="script">N</mi>, but browsers draw only
# MathML Core, which ignores every mathvariant but "normal": 𝒩, ℝ and 𝟙 came out as N, R and 1. Unicode
# has the styled letters themselves (Mathematical Alphanumeric Symbols, a few in Letterlike Symbols).
_VARIANT = re.compile(r'<(mi|mn) mathvariant="(script|double-struck|bold|bold-italic|fraktur)">([A-Za-z0-9]+)</\1>')
_DIGITS = "ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE".split()


def _styled_char(char: str, variant: str) -> str:
    """``char`` in ``variant`` as its own Unicode character (unchanged where Unicode has none)."""
    style = variant.upper().replace("BOLD-", "BOLD ")  # Unicode: "BOLD ITALIC", but "DOUBLE-STRUCK"
    what = (f"DIGIT {_DIGITS[int(char)]}" if char.isdigit()
            else f"{'CAPITAL' if char.isupper() else 'SMALL'} {char.upper()}")
    for name in (f"MATHEMATICAL {style} {what}", f"{style} {what}"):  # the second: Letterlike Symbols' ℝ, ℬ …
        try:
            return unicodedata.lookup(name)
        except KeyError:
            continue
    return char


def _styled_letters(math: str) -> str:
    def styled(m: re.Match) -> str:
        tag, variant, text = m.groups()
        chars = [_styled_char(c, variant) for c in text]
        if any(c == o for c, o in zip(chars, text)):  # a letter Unicode lacks: leave the element as it was
            return m.group(0)
        return f"<{tag}>{''.join(chars)}</{tag}>"
    return _VARIANT.sub(styled, math)


def _element_end(text: str, tag: str, start: int) -> int:
    """Index just past the element opened at ``start``, counting nested elements of the same tag."""
    depth, pos = 0, start
    opener, closer = re.compile(rf"<{tag}[\s>]"), f"</{tag}>"
    while True:
        o = opener.search(text, pos)
        c = text.find(closer, pos)
        if c < 0:
            raise ExportError(f"An unclosed <{tag}> in a lesson's output.")
        if o is not None and o.start() < c:
            depth, pos = depth + 1, o.end()
        else:
            depth, pos = depth - 1, c + len(closer)
            if depth == 0:
                return pos


def altair_spec(chart_html: str) -> dict:
    """The Vega-Lite spec inside altair's HTML output: the first argument of its embedding call."""
    i = chart_html.rfind("})(")
    if i < 0:
        raise ExportError("A chart's HTML is not altair's: no embedding call found.")
    try:
        spec, _ = json.JSONDecoder().raw_decode(chart_html, i + 3)
    except json.JSONDecodeError as err:
        raise ExportError(f"A chart's spec could not be read: {err}.") from None
    return spec


HANDOUT_CONTROLS = ("<b>What was run for this page</b> (in the live course, <code>poisoncourse serve</code>, "
                    "these are controls you can change):")


@dataclass
class Page:
    """What a converted lesson needs besides its HTML: the chart specs, in order, and the words that
    introduce a form's settings (the hand-out's; the first paint's, tools/firstpaint.py)."""

    charts: list[dict] = field(default_factory=list)
    controls: str = HANDOUT_CONTROLS

    def chart(self, spec: dict) -> str:
        self.charts.append(spec)
        return self.placeholder(len(self.charts) - 1)

    @staticmethod
    def placeholder(i: int) -> str:
        """Where chart ``i`` goes in the converted HTML."""
        return f'<div class="chart" id="chart-{i}"></div>'


def _settings(value: dict | list | str, labels: dict | None = None) -> str:
    if isinstance(value, dict):
        items = "".join(f"<li><code>{html.escape(str(k))}</code> = {html.escape(_show(v))}</li>"
                        for k, v in value.items())
        return f'<ul class="settings">{items}</ul>'
    return f"<span>{html.escape(_show(value))}</span>"


def _show(v) -> str:
    if isinstance(v, list):
        return ", ".join(_show(x) for x in v) if v else "(none)"
    return str(v)


_RANGE = re.compile(r"\s*\((?:[^()]*–[^()]*|[≥≤][^()]*)\)$")  # a number box's "(0–100,000)"


def _value_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format(value, "g")
    return _show(value)


def what_was_run(element: str) -> str | None:
    """A form as the hand-out shows it: the form's own text, each control replaced by its label
    and the value the page ran with ("training samples <b>500</b> · first seed <b>0</b>") — the
    student's words and units, not the code's names (``n_train``)."""
    d = re.search(r"<marimo-dict[^>]*>", element)
    close = element.rfind("</marimo-dict>")
    if d is None or close < d.end():
        return None
    body, out, pos = element[d.end():close], [], 0
    while (m := re.compile(r"<marimo-ui-element[^>]*>").search(body, pos)) is not None:
        gap = body[pos:m.start()]
        # Controls side by side with nothing between them ("{regime} {flip_prob}") are separate widgets on the
        # live page; written out, their labels and values would run together: a separator between them.
        out.append(" · " if out and not gap.strip() else gap)  # (a gap with tags in it: a line break, kept)
        end = _element_end(body, "marimo-ui-element", m.start())
        inner = _OPEN.search(body, m.end())
        attrs = _attrs(inner.group(2)) if inner else {}
        label = attrs.get("data-label")
        label = html.unescape(re.sub(r"<[^>]+>", "", label)).strip() if isinstance(label, str) else ""
        label = _RANGE.sub("", label)
        value = _value_text(attrs.get("data-initial-value", ""))
        out.append(f"{html.escape(label)} <b>{html.escape(value)}</b>" if label else f"<b>{html.escape(value)}</b>")
        pos = end
    out.append(body[pos:])
    return "".join(out)


def _control(element: str, page: Page) -> str:
    """A form or control → the settings this page was made with (they work in the live course)."""
    inner = _OPEN.search(element, 1)
    kind = inner.group(1) if inner else ""
    attrs = _attrs(inner.group(2)) if inner else {}
    if kind == "marimo-button":  # a Train button: the hand-out cannot train (its note says where to)
        return ""
    if kind in ("marimo-form", "marimo-dict"):  # a marimo form, or a lesson's controls (kit.forms.Form)
        run = what_was_run(element)
        if run is None:
            d = re.search(r"<marimo-dict([^>]*)>", element)
            values = _attrs(d.group(1)).get("data-initial-value", {}) if d else {}
            run = _settings(values)
        return f'<div class="controls">{page.controls}<div>{run}</div></div>'
    label = attrs.get("data-label")
    label = re.sub(r"<[^>]+>", "", label).strip() if isinstance(label, str) else ""
    return (f'<div class="controls"><b>{html.escape(label or "Setting")}</b>: '
            f"{_settings(attrs.get('data-initial-value', ''))}</div>")


def output_html(output) -> str:
    """A cell's output as marimo HTML: "" for none; a cell ending in a bare object (a chart, a table) formatted
    as marimo would show it."""
    if output is None:
        return ""
    if hasattr(output, "text"):
        return output.text
    import marimo as mo

    return mo.as_html(output).text


def convert(fragment: str, page: Page) -> str:
    """One cell's marimo HTML → plain HTML (charts registered on ``page``)."""
    fragment = _TEX.sub(lambda m: mathml(html.unescape(m.group(2)), m.group(1) == "["), fragment)
    out, pos = [], 0
    while (m := _OPEN.search(fragment, pos)) is not None:
        out.append(fragment[pos:m.start()])
        tag, attrs = m.group(1), _attrs(m.group(2))
        end = _element_end(fragment, tag, m.start())
        if tag == "marimo-ui-element":
            out.append(_control(fragment[m.start():end], page))
        elif tag == "marimo-mime-renderer":
            out.append(_mime(attrs, page))
        elif tag == "marimo-stat":
            parts = [("stat-value", attrs.get("data-value")), ("stat-label", attrs.get("data-label")),
                     ("stat-caption", attrs.get("data-caption"))]
            out.append('<div class="stat">' + "".join(f'<div class="{c}">{html.escape(str(v))}</div>'
                                                      for c, v in parts if v) + "</div>")
        elif tag == "marimo-accordion":  # closed sections (kit/fold.py): <details>, closed as in the live page
            out.append(_accordion(fragment[m.start():end], attrs, page))
        elif tag == "marimo-callout-output":
            kind = re.sub(r"[^a-z]", "", str(attrs.get("data-kind", "info")))
            out.append(f'<div class="callout {kind}">{convert(str(attrs.get("data-html", "")), page)}</div>')
        else:
            raise ExportError(f"The static export does not know marimo's <{tag}> element: teach "
                              f"poisoncourse/site.py to show it.")
        pos = end
    out.append(fragment[pos:])
    return "".join(out)


def _accordion(element: str, attrs: dict, page: Page) -> str:
    """marimo's accordion → one ``<details>`` per section: its label (HTML in a JSON attribute) as the
    summary, its child ``<div>`` as the body; the sections listed as expanded open."""
    labels, expanded = attrs.get("data-labels") or [], attrs.get("data-expanded") or []
    inner = element[element.index(">") + 1:element.rindex("</marimo-accordion>")]
    bodies, pos = [], 0
    while (start := inner.find("<div", pos)) >= 0:
        end = _element_end(inner, "div", start)
        bodies.append(inner[inner.index(">", start) + 1:end - len("</div>")])
        pos = end
    if len(bodies) != len(labels):
        raise ExportError("A folded section's labels and bodies do not match.")
    return "".join(f'<details class="fold"{" open" if i in expanded else ""}><summary>{convert(str(label), page)}'
                   f"</summary>{convert(body, page)}</details>" for i, (label, body) in enumerate(zip(labels, bodies)))


# -- worded as a hand-out: what was run, and where to run it live ------------------------------

LIVE = "<code>poisoncourse serve</code>"
HANDOUT_NOTE = ('<p class="note">A hand-out: this lesson as it was run at the settings listed on the page. '
                f"The controls, the <b>Train</b> buttons and the Try-next steps work in the live course ({LIVE}, "
                "or <code>make serve</code> in a checkout).</p>")
_HANDOUT_WORDS = [
    (re.compile(r"(<h[1-6][^>]*>)\s*The live result\s*(</h[1-6]>)"), r"\1The result at these settings\2"),
    (re.compile(r"([Pp])ress <strong>(Train|Draw|Run)</strong>"),
     r"\1ress <strong>\2</strong> (in the live course)"),
    (re.compile(r"\b([Tt])he button below\b"),
     lambda m: f"{'A' if m.group(1) == 'T' else 'a'} button in the live course"),
    (re.compile(r"(<h[1-6][^>]*>\s*Try next\s*</h[1-6]>)"),
     rf'\1<p class="note">For the live course ({LIVE}): each step changes controls and trains again.</p>'),
]


def handout(body: str) -> str:
    """A lesson page's HTML worded for reading, not for clicking."""
    for pattern, words in _HANDOUT_WORDS:
        body = pattern.sub(words, body)
    return HANDOUT_NOTE + body


def _mime(attrs: dict, page: Page) -> str:
    bundle = attrs.get("data-data")
    if attrs.get("data-mime") != "application/vnd.marimo+mimebundle" or not isinstance(bundle, dict):
        bundle = {attrs.get("data-mime"): attrs.get("data-data")}
    if "application/vnd.vegalite.v6+json" in bundle or "application/vnd.vegalite.v5+json" in bundle:
        spec = bundle.get("application/vnd.vegalite.v6+json") or bundle["application/vnd.vegalite.v5+json"]
        return page.chart(spec if isinstance(spec, dict) else json.loads(spec))
    text = bundle.get("text/html")
    if isinstance(text, str) and "vegaEmbed" in text:
        return page.chart(altair_spec(text))
    if "image/png" in bundle:
        return f'<img alt="figure" src="data:image/png;base64,{bundle["image/png"]}">'
    if "text/plain" in bundle:
        return f"<pre>{html.escape(str(bundle['text/plain']))}</pre>"
    raise ExportError(f"The static export cannot show an output of type {sorted(bundle)}.")


# --- whole pages ------------------------------------------------------------------------------

STYLE = """
body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933; margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem 1.5rem 4rem; }
nav { background: #1f2933; color: #fff; padding: .6rem 1.5rem; font-size: .95rem; }
nav a { color: #cde; margin-right: 1.2rem; text-decoration: none; }
nav a.here { color: #fff; font-weight: 600; }
h1 { font-size: 1.8rem; line-height: 1.25; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #e4e7eb; }
.paragraph { display: block; margin: .6rem 0; }
.note { background: #fff8e1; border-left: 4px solid #f0b429; padding: .4rem .8rem; margin: .6rem 0; }
.controls { background: #f5f7fa; border: 1px solid #e4e7eb; border-radius: 6px; padding: .6rem .9rem;
            margin: .8rem 0; font-size: .9rem; }
.settings { columns: 3 14rem; margin: .3rem 0 0; padding-left: 1.1rem; }
.stat { display: inline-block; min-width: 9rem; margin: .3rem 1.2rem .3rem 0; vertical-align: top; }
.stat-value { font-size: 1.35rem; font-weight: 600; } .stat-label, .stat-caption { font-size: .8rem; color: #616e7c; }
.callout { border-left: 4px solid #3e7cb1; background: #f0f6fb; padding: .5rem .9rem; margin: .8rem 0; }
.callout.warn { border-color: #e9a23b; background: #fdf7ec; }
.callout.danger { border-color: #d64545; background: #fdf0f0; }
.chart { margin: .8rem 0; overflow-x: auto; }
details { border: 1px solid #e4e7eb; border-radius: 6px; padding: .4rem .9rem; margin: .8rem 0; }
details > summary { cursor: pointer; font-weight: 600; }
.vega-bindings { margin: .3rem 0; font-size: .95rem; } .vega-bindings input[type=range] { width: 18rem; }
code, pre { font-family: ui-monospace, Menlo, monospace; font-size: .9em; }
table { border-collapse: collapse; } td, th { padding: .2rem .6rem; border-bottom: 1px solid #e4e7eb; }
footer { color: #616e7c; font-size: .85rem; margin-top: 3rem; }
/* The course map (the static index, the live front page): one card per lesson, as many columns as fit,
   one on a phone. The title's link covers the whole card (::after), the paper's link stays above it. */
ol.lessons { list-style: none; padding: 0; display: grid; gap: 1rem;
             grid-template-columns: repeat(auto-fill, minmax(min(100%, 22rem), 1fr)); }
ol.lessons li { position: relative; border: 1px solid #cbd2d9; border-radius: 8px; padding: .9rem 1.1rem;
                background: #fff; }
ol.lessons li:hover { border-color: #3e7cb1; box-shadow: 0 2px 8px rgba(31, 41, 51, .12); }
ol.lessons h2 { font-size: 1.25rem; margin: 0 0 .4rem; border: 0; }
ol.lessons h2 a { color: #1f2933; text-decoration: none; }
ol.lessons h2 a + a { color: #1a56db; font-size: .9rem; font-weight: normal; text-decoration: underline; }
ol.lessons li a { position: relative; z-index: 1; }
ol.lessons h2 a:first-child { position: static; }
ol.lessons h2 a:first-child::after { content: ""; position: absolute; inset: 0; z-index: 0; }
ol.lessons p { margin: .3rem 0 .6rem; }
.paper { font-size: .9rem; color: #52606d; }
"""

COURSE_TITLE = "poisoncourse — data poisoning and adversarial attacks on small neural networks"
WORDS = dict(enumerate(("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")))


def count(n: int) -> str:
    """"Five" for 5: the course map says how many lessons there are in words."""
    return WORDS.get(n, str(n)).capitalize()


def lesson_list(lessons, href, extra=lambda lesson: "") -> str:
    """The course map's cards, in course order: each lesson's title (a link to ``href(lesson)``), its
    one-line summary and its paper. ``extra(lesson)`` is HTML added after the title (the export's
    notebook link). Shared by the static index (export.py) and the live front page (front.py)."""
    items = []
    for lesson in lessons:
        p = lesson.paper
        if p and p.url_opens:  # no public copy: the title is plain text and the link names what it opens
            paper = (f'<div class="paper">Paper: {html.escape(p.title)} — {html.escape(p.authors)}, '
                     f'{html.escape(p.venue)} (no public copy; <a href="{html.escape(p.url)}">'
                     f"{html.escape(p.url_opens)}</a>)</div>")
        else:
            paper = (f'<div class="paper">Paper: <a href="{html.escape(p.url)}">{html.escape(p.title)}</a> — '
                     f"{html.escape(p.authors)}, {html.escape(p.venue)}</div>") if p else ""
        items.append(f'<li><h2><a href="{html.escape(href(lesson))}">{html.escape(lesson.title)}</a>'
                     f"{extra(lesson)}</h2><p>{html.escape(lesson.summary)}</p>{paper}</li>")
    return f'<ol class="lessons">{"".join(items)}</ol>'


def render(*, title: str, body: str, charts: list[dict], nav: str, vega_js: str, footer: str, style: str = "") -> str:
    """A complete page: everything inline, so it opens from a USB stick (or a workshop room) with no network.
    ``style``: CSS added after the shared :data:`STYLE`."""
    specs = json.dumps(charts).replace("</", "<\\/")
    script = ""
    if charts:
        # One module script after the bundle (modules run in order): draw each chart into its div.
        script = (f'<script type="module">{vega_js}</script>\n<script type="module">\n'
                  f"const specs = {specs};\n"
                  "specs.forEach((spec, i) => vegaEmbed('#chart-' + i, spec, {actions: false, renderer: 'svg'})\n"
                  "  .catch(err => { document.getElementById('chart-' + i).textContent = "
                  "'This chart could not be drawn: ' + err; }));\n</script>")
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{STYLE}{style}</style>\n</head>\n<body>\n"
            f"<nav>{nav}</nav>\n<main>\n{body}\n<footer>{footer}</footer>\n</main>\n{script}\n</body>\n</html>\n")


def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script with no imports (from vl-convert)."""
    import vl_convert

    return vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION).replace("</script", "<\\/script")
