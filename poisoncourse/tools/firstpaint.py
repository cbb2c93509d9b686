"""The first paint: on a warmed server, a lesson's page is drawn at once, then marimo's live page takes over.

Opening a lesson costs, before its first word shows, marimo's frontend (≈ 6.5 MB of scripts: 2.3 s to
parse on this course's 2-core CPU, 2.7 s with them cached) and a session that runs every cell — 3.4–4 s for
an app of one cell, 5.6–7.4 s for a lesson whose results are already in the shared memo (BENCHMARKS.md).
Nothing in marimo's run mode shows a page sooner. So a server started with ``--warm`` paints each lesson
itself, once: after the warm-up, each lesson's cells run headless *as a student's browser would show them*
(kit/paint.py: the address's parameters, questions asked with their results locked, charts whole), the
outputs become plain HTML (tools/site.py, the hand-out's converter) and every chart a picture (vl-convert,
in the server: no script needed to see it). The middleware (tools/front.py) puts that painting into marimo's
page for the same address, above marimo's root: it shows as soon as the HTML arrives, while marimo loads
underneath, and goes when marimo's page has drawn its charts (:data:`SWAP`).

Painted addresses are a lesson's own (``?file=lesson1_width.py``, what a student opens) and the teacher's
link (``&predict=off``), at the lesson's defaults: the results the warm-up put in the memo. Any other
address (a link with settings) opens live as before. The painting is of this server's own run, so it shows
what the live page will show; a lesson that fails to paint is reported and simply opens live.

Only :func:`painted_send` and what it needs run in the server's request path: this module imports the
standard library and Starlette at the top; painting imports the lessons (torch), in the warm-up's thread.
"""

from __future__ import annotations

import base64
import html
import re
import time
from dataclasses import dataclass
from typing import Iterable, Mapping
from urllib.parse import parse_qs

from starlette.types import Message, Scope, Send

# The addresses painted, as their query parameters besides ?file=: a lesson's own, and a teacher's link.
QUERIES: tuple[dict[str, str], ...] = ({}, {"predict": "off"})
IGNORED = ("file", "access_token")  # the page's name and marimo's one-time token: not the page's settings
ELEMENT = "poisoncourse-paint"
# A chart's picture: SVG (sharp, text the browser's), unless a chart of many marks makes it heavier than
# this; then PNG, whose size is the chart's area whatever it draws (Lesson 2's heatmaps: 1.8 MB of SVG).
SVG_LIMIT = 300_000
GUARD_MS = 60_000  # the live page replaces the painting at the latest this long after it opened
QUIET_MS = 2_500  # or once marimo's page, having drawn something, has not changed for this long


@dataclass(frozen=True)
class Painting:
    """A lesson's page painted: its HTML (charts as pictures) and how many charts it holds (closed sections too)."""

    body: str
    charts: int
    seconds: float  # what painting it took (the headless run and the pictures)


PAINTINGS: dict[tuple[str, tuple[tuple[str, str], ...]], Painting] = {}


def key(app_file: str, query: Mapping[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    return app_file, tuple(sorted((k, v) for k, v in query.items() if k not in IGNORED))


def request_key(scope: Scope) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The painting a request asks for: its ?file= and its other parameters (a repeated one: the last)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if not query.get("file"):
        return None
    return key(query["file"][-1], {k: v[-1] for k, v in query.items()})


# -- painting (the warm-up's thread) -----------------------------------------------------------------------


def picture(spec: dict) -> str:
    """A chart as an <img>: its spec drawn by vl-convert, as SVG or (large) PNG."""
    import vl_convert

    from . import site

    svg = vl_convert.vegalite_to_svg(spec, vl_version=site.VEGA_LITE_VERSION)
    size = ""
    if len(svg) <= SVG_LIMIT:
        data, mime = svg.encode(), "image/svg+xml"
    else:  # drawn at twice its size for sharp screens, shown at its own (the PNG's width is in its header)
        data, mime = vl_convert.vegalite_to_png(spec, vl_version=site.VEGA_LITE_VERSION, scale=2), "image/png"
        size = f' width="{int.from_bytes(data[16:20], "big") // 2}"'
    title = spec.get("title")
    title = title.get("text") if isinstance(title, dict) else title
    title = " ".join(title) if isinstance(title, list) else title
    alt = f"Chart: {title}" if isinstance(title, str) and title else "Chart"
    return (f'<img class="chart" elementtiming="paint"{size} alt="{html.escape(alt)} (a picture until the live page '
            f'is ready)" src="data:{mime};base64,{base64.b64encode(data).decode()}">')


CONTROLS = ("<b>Settings</b> (the controls to change them appear with the live page, in a few seconds):")


def paint(app, query: Mapping[str, str]) -> Painting:
    """``app`` (a lesson's marimo App) run headless as a browser would show it at ``query``, painted."""
    from ..kit import paint as painting
    from . import site

    start = time.perf_counter()
    with painting.painting(query):  # (no redirect of stdout: it is the whole server's, not this thread's)
        outputs, _ = app.run()
    page = site.Page(controls=CONTROLS)
    texts = (site.output_html(o) for o in outputs)
    body = "\n".join(f"<section>{site.convert(t, page)}</section>" for t in texts if t.strip())
    for i, spec in enumerate(page.charts):
        body = body.replace(site.Page.placeholder(i), picture(spec), 1)
    return Painting(body, len(page.charts), round(time.perf_counter() - start, 2))


def paint_all(lessons: Iterable, load_app) -> dict[str, float | str]:
    """Paint every address of :data:`QUERIES` for each lesson (a registry entry); ``load_app(path)`` gives
    its App. A lesson that cannot be painted is reported and opens live."""
    from . import course

    apps, report = course.apps_dir(), {}
    for lesson in lessons:
        try:
            app = load_app(apps / lesson.app)
            for query in QUERIES:
                done = paint(app, query)
                PAINTINGS[key(lesson.app, query)] = done
            report[lesson.name] = round(sum(PAINTINGS[key(lesson.app, q)].seconds for q in QUERIES), 2)
        except Exception as err:  # noqa: BLE001 — a lesson that cannot be painted opens live, as before
            report[lesson.name] = f"{type(err).__name__}: {err}"
    return report


# -- sending it (the server's request path) ----------------------------------------------------------------

# Scoped to the painting: marimo's own page (under it) keeps its styles.
STYLE = f"""
#{ELEMENT} {{ position: absolute; top: 0; left: 0; right: 0; min-height: 100vh; z-index: 2147483000;
  background: #fff; color: #1f2933; font: 16px/1.55 "PT Sans", system-ui, -apple-system, "Segoe UI", sans-serif; }}
#{ELEMENT} main {{ max-width: 1110px; margin: 0 auto; padding: 1rem 1.5rem 4rem; }}
#{ELEMENT} .starting {{ position: sticky; top: 0; background: #f0f6fb; border-bottom: 1px solid #cbd2d9;
  padding: .4rem 1.5rem; font-size: .95rem; z-index: 1; }}
#{ELEMENT} h1 {{ font-size: 1.8rem; line-height: 1.25; }}
#{ELEMENT} h2 {{ margin-top: 2rem; border-bottom: 1px solid #e4e7eb; }}
#{ELEMENT} .paragraph {{ display: block; margin: .6rem 0; }}
#{ELEMENT} .controls {{ background: #f5f7fa; border: 1px solid #e4e7eb; border-radius: 6px; padding: .6rem .9rem;
  margin: .8rem 0; font-size: .9rem; }}
#{ELEMENT} .settings {{ columns: 3 14rem; margin: .3rem 0 0; padding-left: 1.1rem; }}
#{ELEMENT} .stat {{ display: inline-block; min-width: 9rem; margin: .3rem 1.2rem .3rem 0; vertical-align: top; }}
#{ELEMENT} .stat-value {{ font-size: 1.35rem; font-weight: 600; }}
#{ELEMENT} .stat-label, #{ELEMENT} .stat-caption {{ font-size: .8rem; color: #616e7c; }}
#{ELEMENT} .callout {{ border-left: 4px solid #3e7cb1; background: #f0f6fb; padding: .5rem .9rem; margin: .8rem 0; }}
#{ELEMENT} .callout.warn {{ border-color: #e9a23b; background: #fdf7ec; }}
#{ELEMENT} .callout.danger {{ border-color: #d64545; background: #fdf0f0; }}
#{ELEMENT} img.chart {{ display: block; max-width: 100%; height: auto; margin: .8rem 0; }}
#{ELEMENT} details {{ border: 1px solid #e4e7eb; border-radius: 6px; padding: .4rem .9rem; margin: .8rem 0; }}
#{ELEMENT} details > summary {{ cursor: pointer; font-weight: 600; }}
#{ELEMENT} table {{ border-collapse: collapse; }}
#{ELEMENT} td, #{ELEMENT} th {{ padding: .2rem .6rem; border-bottom: 1px solid #e4e7eb; }}
"""

# Runs as the HTML is read, before marimo's scripts (modules, which wait for the document). The painting goes
# when marimo's page is whole: as many outputs as it painted, every chart of an open section drawn, nothing
# stale or loading, no live chart mid-run. A page that cannot match it (a result the memo had to compute
# again and refused, a chart fewer) lets it go once nothing pending has changed for QUIET_MS, and every page
# at the latest GUARD_MS after opening. The reader's scroll position is kept.
SWAP = """
(() => {
  const paint = document.getElementById("%(element)s"), opened = performance.now();
  // marimo draws no chart of a closed section until it is opened: the charts to wait for are the open ones.
  const want = [...paint.querySelectorAll("img.chart")].filter(e => !e.closest("details:not([open])")).length;
  const sections = paint.querySelectorAll("main > section").length;
  const PENDING = '.marimo-output-stale, .marimo-output-loading, .poisoncourse-live:not([data-frame="final"])';
  // marimo's outputs draw inside shadow roots: one walk into them counts what is pending and what is drawn.
  const look = (node, seen = {pending: 0, drawn: 0}) => {
    seen.pending += node.querySelectorAll(PENDING).length;
    node.querySelectorAll(".vega-embed").forEach(e => { if (e.querySelector("svg, canvas")) seen.drawn += 1; });
    node.querySelectorAll("*").forEach(e => { if (e.shadowRoot) look(e.shadowRoot, seen); });
    return seen;
  };
  let changed = performance.now();
  // (marimo's root comes after this script in the page: the body is watched, the root looked up at each tick)
  new MutationObserver(() => { changed = performance.now(); })
    .observe(document.body, {subtree: true, childList: true, attributes: true});
  const swap = () => {
    const y = window.scrollY;
    paint.remove();
    document.getElementById("%(element)s-hide").remove();
    window.scrollTo(0, y);
    document.documentElement.dataset.poisoncourseLiveAt = Math.round(performance.now());  // (the tests' clock)
  };
  const tick = () => {
    const root = document.getElementById("root"), now = performance.now();
    if (now - opened > %(guard)d) return swap();
    // The cheap count first: the walk into shadow roots only once marimo has filled as many outputs as painted.
    const filled = root ? [...root.querySelectorAll(".output-area")].filter(e => e.childElementCount > 0).length : 0;
    if (filled > 0 && (filled >= sections || now - changed > %(quiet)d)) {
      const seen = look(root);
      if (!seen.pending && ((filled >= sections && seen.drawn >= want) || now - changed > %(quiet)d)) return swap();
    }
    setTimeout(tick, 200);
  };
  setTimeout(tick, 200);
})();
"""


def markup(painting: Painting) -> str:
    script = SWAP % dict(element=ELEMENT, guard=GUARD_MS, quiet=QUIET_MS)
    # marimo's page stays laid out under the painting (its charts size themselves) but is not drawn.
    return (f'<style>{STYLE}</style><style id="{ELEMENT}-hide">#root {{ visibility: hidden; }}</style>'
            f'<div id="{ELEMENT}" aria-busy="true">'
            '<div class="starting" role="status">Starting the live lesson: its controls come in a few '
            f"seconds.</div><main>{painting.body}</main></div><script>{script}</script>")


def inject(page: bytes, painting: Painting) -> bytes:
    """marimo's page with the painting first in its body; the page unchanged if it has no <body>."""
    text = page.decode("utf-8")
    found = re.search(r"<body[^>]*>", text)
    if found is None:
        return page
    return (text[:found.end()] + markup(painting) + text[found.end():]).encode("utf-8")


def painted_send(scope: Scope, send: Send) -> Send:
    """``send`` for marimo's answer to a lesson address that has a painting: its HTML page, held until whole
    and sent again with the painting in it (a new length, no ETag: the page differs from marimo's). Any
    other answer — a HEAD, a 304, an error, no painting for this address — passes untouched."""
    found = request_key(scope)
    painting = PAINTINGS.get(found) if found else None
    if painting is None or scope.get("method") != "GET":
        return send
    held: Message | None = None
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        nonlocal held
        if message["type"] == "http.response.start":
            kind = dict(message.get("headers", [])).get(b"content-type", b"")
            if message["status"] == 200 and kind.startswith(b"text/html"):
                held = message
                return
        elif held is not None:
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = inject(b"".join(chunks), painting)
            headers = [(k, v) for k, v in held.get("headers", []) if k.lower() not in (b"content-length", b"etag")]
            await send({**held, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await send(message)

    return wrapped


def without_revalidation(scope: Scope) -> Scope:
    """The request without If-None-Match when its address has a painting: marimo would answer a browser's
    cached copy with 304, and that copy may hold no painting or an older one."""
    found = request_key(scope)
    if found is None or found not in PAINTINGS:
        return scope
    return {**scope, "headers": [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"if-none-match"]}
