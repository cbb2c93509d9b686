"""Lesson 1's sentences that carry numbers, each rendered from the table it is about.

The page states what the live run, the shipped sweep (``data/reference/width.csv``) and the
paper's Fig. 3 (``data/paper000_fig3.csv``) show. Every number in those sentences comes from
here, computed from the table, so a regenerated table cannot leave the prose behind; the words
around the numbers ("climbs", "no fall", "below the early peak") are checked against the
tables by tests/test_prose_numbers_width.py.
"""

from __future__ import annotations

import math

import pandas as pd

from . import experiment

PAPER_SERIES = "paper Fig. 3 (CNN, full MNIST)"
# The interior widths where the shipped regime-C curve (stopped early) is flat: past the narrow
# networks' climb, before the widest ones' small fall.
PLATEAU_WIDTHS = (16, 512)
# An inverted U counts when the best interior width beats both ends by this much: about the
# spread over a live run's seeds.
U_THRESHOLD = 0.02


# --- the live run ----------------------------------------------------------------------------


def paper_overlay(paper: pd.DataFrame, regime: str) -> pd.DataFrame:
    """The paper's Fig. 3 rows to draw dashed beside the live curve: its curve for this regime
    and, for a poisoned regime, its clean curve too (columns series, width, accuracy, run)."""
    own = paper[paper.regime == regime].assign(series=PAPER_SERIES, run="paper Fig. 3")
    if regime == "clean":
        return own
    clean = paper[paper.regime == "clean"].assign(series=PAPER_SERIES, run="paper Fig. 3, clean")
    return pd.concat([own, clean])


def verdict(summary: pd.DataFrame, column: str, regime: str) -> str:
    """One sentence on whether the live poisoned curve is an inverted U ('' without poison)."""
    if regime == "clean":
        return ""
    gap = experiment.u_curve_gap(summary, column)
    if math.isnan(gap):  # fewer than three widths: no interior
        return ""
    if gap >= U_THRESHOLD:
        return f"Best interior width beats both ends by **{100 * gap:.1f} points**: an inverted U."
    return f"Best interior width beats the better end by {100 * gap:+.1f} points: no clear inverted U in this run."


class PartialCurve:
    """The curve drawn under the progress bar while a sweep runs: each finished group of widths
    adds its rows; :meth:`add` returns the summary of the widths so far, or None once every
    width is done (the full chart comes below at once, so one more partial one is wasted)."""

    def __init__(self, widths):
        self.widths = set(widths)
        self.rows: list[dict] = []

    def add(self, rows: list[dict]) -> pd.DataFrame | None:
        self.rows.extend(rows)
        if {r["width"] for r in self.rows} >= self.widths:
            return None
        return experiment.summarize(pd.DataFrame(self.rows))


# --- the convex warm-up -------------------------------------------------------------------------


def convex_decay(result) -> str:
    """'the excess loss falls **27×** at C = 2, … but only **2×** at C = 64 …': how many times
    smaller the excess loss is at the largest n than at the smallest, for the budgets below √n
    over the whole range of n and for those above it (Theorem 2.2's two behaviours)."""
    from . import convex

    c = result.config
    below = [b for b in c.c_values if 0 < b * b <= min(c.sizes)]
    above = [b for b in c.c_values if b * b >= max(c.sizes)]

    def factors(budgets):
        return ", ".join(f"**{convex.decay(result.summary, b):.0f}×** at C = {b:g}" for b in budgets) or "—"

    return (f"From the smallest to the largest $n$ the excess loss falls {factors(below)} (budgets with "
            f"$C \\le \\sqrt n$ throughout), but only {factors(above)} ($C \\ge \\sqrt n$ throughout).")


# --- the shipped sweep ----------------------------------------------------------------------------


def curve(table: pd.DataFrame, regime: str, column: str, variant: str = "poisoned",
          resolution: int | None = None) -> pd.DataFrame:
    """One curve of the shipped sweep, sorted by width: columns width, accuracy, std, fit."""
    rows = table[(table.regime == regime) & (table.variant == variant)]
    if resolution is not None:
        rows = rows[rows.resolution == resolution]
    return (rows.sort_values("width").reset_index(drop=True)
            .assign(accuracy=lambda d: d[f"mean_{column}"], std=lambda d: d[f"std_{column}"], fit=lambda d: d.mean_fit))


def _resolutions(table: pd.DataFrame, regime: str) -> list[int]:
    return sorted(table[table.regime == regime].resolution.unique())


def _res(r: int) -> str:
    return f"{r}×{r}"


def flips_stopped(table: pd.DataFrame) -> dict:
    """Regime C at the lowest resolution, stopped on the poisoned validation split."""
    res = _resolutions(table, "C")[0]
    c = curve(table, "C", "stopped_poisoned_val", resolution=res)
    lo, hi = PLATEAU_WIDTHS
    plateau = c[(c.width >= lo) & (c.width <= hi)]
    top = plateau.loc[plateau.accuracy.idxmax()]
    return dict(resolution=res, beta=float(table[table.regime == "C"].budget.iloc[0]),
                first=c.iloc[0], last=c.iloc[-1], plateau_low=plateau.accuracy.min(), top=top,
                fall=top.accuracy - c.iloc[-1].accuracy, seeds=int(c.seeds.iloc[0]))


def paper_fall(paper: pd.DataFrame) -> dict:
    """The paper's regime-C fall: its peak and its widest width (Fig. 3)."""
    c = paper[paper.regime == "C"].sort_values("width")
    return dict(peak=c.accuracy.max(), last=c.iloc[-1], fall=c.accuracy.max() - c.iloc[-1].accuracy)


def flips_last_epoch(table: pd.DataFrame) -> list[dict]:
    """Regime C after the last epoch, per resolution: the early peak (the first width that beats
    the next wider one), the low after it, and the widest width."""
    out = []
    for res in _resolutions(table, "C"):
        c = curve(table, "C", "final_accuracy", resolution=res)
        falls = c.index[c.accuracy.diff(-1) > 0]
        peak = c.loc[falls[0] if len(falls) else c.index[-1]]
        after = c[c.width > peak.width]
        low = after.loc[after.accuracy.idxmin()]
        out.append(dict(resolution=res, peak=peak, low=low, last=c.iloc[-1], drop=peak.accuracy - low.accuracy,
                        recovery=c.iloc[-1].accuracy - peak.accuracy))
    return out


def clean_label(table: pd.DataFrame) -> list[dict]:
    """Regimes A and B after the last epoch: first and last width."""
    out = []
    for regime in ("A", "B"):
        c = curve(table, regime, "final_accuracy")
        if not c.empty:
            out.append(dict(regime=regime, budget=float(c.budget.iloc[0]), resolution=int(c.resolution.iloc[0]),
                            first=c.iloc[0], last=c.iloc[-1]))
    return out


def clean_plateau(table: pd.DataFrame, from_width: int = 64) -> tuple[float, float]:
    """The range of clean training's accuracy (last epoch and stopped early, every resolution)
    from ``from_width`` on."""
    rows = table[(table.variant == "clean") & (table.width >= from_width)]
    values = pd.concat([rows.mean_final_accuracy, rows.mean_stopped_poisoned_val])
    return float(values.min()), float(values.max())


def _points(x: float) -> str:
    return f"{100 * abs(x):.1f} points"


def reference_findings(table: pd.DataFrame, paper: pd.DataFrame) -> str:
    """The 'What it shows — honestly' bullets, every number taken from the two tables."""
    s, p = flips_stopped(table), paper_fall(paper)
    last = flips_last_epoch(table)
    each = lambda f: " and ".join(f(x) for x in last)  # noqa: E731 — one value per resolution
    ab = clean_label(table)
    lo, hi = clean_plateau(table)
    where = lambda x: f"{_points(x['recovery'])} {'above' if x['recovery'] > 0 else 'below'} the early peak " \
                      f"at {_res(x['resolution'])}"  # noqa: E731 — the words follow the sign
    return f"""
* *Label flips (regime C, β = {s['beta']:g}), stopped early on the poisoned validation split:* the
  inverted U, but a shallow one. At {_res(s['resolution'])} accuracy climbs from {s['first'].accuracy:.2f}
  (m = {s['first'].width:,}) to a plateau of {s['plateau_low']:.2f}–{s['top'].accuracy:.2f} at
  m = {PLATEAU_WIDTHS[0]}–{PLATEAU_WIDTHS[1]} and ends at {s['last'].accuracy:.2f} at m = {s['last'].width:,} —
  {_points(s['fall'])} below the plateau's top, about one standard deviation over {s['seeds']} seeds
  ({_points(s['top']['std'])} there). The paper's fall ({100 * p['peak']:.1f} % →
  {100 * p['last'].accuracy:.0f} % at m = {p['last'].width:,}, a CNN on 60,000 digits:
  {_points(p['fall'])}) is of the same size.
* *Label flips, last epoch:* no inverted U but **double descent**. The peak comes early
  (m = {each(lambda x: f"{x['peak'].width:,} at {_res(x['resolution'])}")}, while the fit to the poisoned
  labels is still {each(lambda x: f"{x['peak'].fit:.2f}")}); as the fit reaches
  {each(lambda x: f"{x['low'].fit:.2f}")} (m = {each(lambda x: f"{x['low'].width:,}")}) accuracy drops by
  {each(lambda x: f"{100 * x['drop']:.1f}")} points; past that it slowly recovers
  ({each(lambda x: f"{x['last'].accuracy:.2f}")} at m = {last[0]['last'].width:,}: {each(where)}).
* *Clean-label attacks ({", ".join(x['regime'] for x in ab)}; budget {ab[0]['budget']:.1f} at
  {_res(ab[0]['resolution'])}):* **not reproduced.** Accuracy rises with width all the way
  ({"; ".join(f"{x['regime']}: {x['first'].accuracy:.2f} at m = {x['first'].width:,} → "
              f"{x['last'].accuracy:.2f} at m = {x['last'].width:,}" for x in ab)}) with no fall. Our
  perturbations, crafted against a clean-trained width-{experiment.ATTACKER_WIDTH} network, fool narrow
  victims almost completely; wider victims pick up features the attack did not target. The paper's
  decline at m ≈ 10⁵ may need wider networks, the paper's CNN, or its weaker (stochastic) attack —
  this sweep cannot say which.
* *Clean training:* rises and stays flat ({lo:.2f}–{hi:.2f} from m = 64 on), as in the paper.
"""


def reference_about(meta: dict) -> str:
    """What the shipped sweep ran: widths, seeds, epochs, n, date and command, from its sidecar."""
    configs = meta["settings"]["configs"]
    c = configs[0]
    networks = sorted({x["seeds"] * (2 if x["clean_baseline"] and x["regime"] != "clean" else 1) for x in configs})
    return (f"{len(c['widths'])} widths from {min(c['widths'])} to {max(c['widths']):,}, {c['seeds']} seeds, "
            f"{c['epochs']} epochs, n = {c['n_train']:,} training digits, made {meta['created']} by "
            f"`{meta['command']}`. Each width's {'–'.join(map(str, networks))} networks trained as one "
            f"batched computation.")


def reference_groups(table: pd.DataFrame):
    """Per configuration of the shipped sweep: a caption with its U-curve gaps, and its rows."""
    for (regime, res, budget), rows in table.groupby(["regime", "resolution", "budget"], sort=False):
        gap = {col: 100 * experiment.u_curve_gap(rows, col) for col in ("stopped_poisoned_val", "final_accuracy")}
        yield (f"**Regime {regime}** ({'β' if regime == 'C' else 'budget'} = {budget:g}), {_res(res)}. "
               f"Best interior width minus the better end width: {gap['stopped_poisoned_val']:+.1f} points "
               f"stopped early, {gap['final_accuracy']:+.1f} points at the last epoch (positive: an inverted U)."), rows
