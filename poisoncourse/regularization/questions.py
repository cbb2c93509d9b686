"""Lesson 2's predictions (kit/predict.py): asked before the live heatmaps, answered by them.

``truth`` reads the heatmaps on screen (``result.grid``: damage at the smallest λ and the best λ per
poison location); ``expected`` is the default run's answer (tests/regularization/test_questions.py).
"""

from __future__ import annotations

from ..kit.predict import Question, direction
from .experiment import HeatmapResult

OWN, BOUNDARY, OTHER = ("on the side of the class whose label it carries", "near the boundary between the classes",
                        "deep on the other class's side")
LARGER, SAME, SMALLER = "larger", "about the same", "smaller"
TOP = 0.9  # "the most damaging": locations within 10 % of the worst damage
LAM_MARGIN = 0.5  # best-λ means closer than this (half a grid step in log λ) are "about the same"


def _worst(result: HeatmapResult, share: float = TOP):
    g = result.grid
    return g[g.damage_small >= share * g.damage_small.max()]


def where_worst(result: HeatmapResult) -> str | None:
    g, pts = result.grid, result.points
    if g.damage_small.max() <= 0:
        return None
    train = pts[pts.split == "training"]
    own = f"class {result.config.poison_label}"
    own_x, other_x = train[train.label == own].x1.mean(), train[train.label != own].x1.mean()
    t = (_worst(result).x1.mean() - own_x) / (other_x - own_x)  # 0: own class's mean, 1: the other's
    return OWN if t < 0.3 else BOUNDARY if t < 0.7 else OTHER


def _where_why(result: HeatmapResult) -> str:
    w = _worst(result)
    return (f"In this run the worst locations (within 10 % of the worst damage, "
            f"{w.damage_small.max():.1%} more validation error than without the poison) sit around "
            f"x₁ = {w.x1.mean():.1f}, x₂ = {w.x2.mean():.1f}. A point with the wrong label deep inside the other "
            "class pulls the unregularized boundary towards it; near its own class it agrees with the data and "
            "moves nothing.")


WHERE = Question(
    key="where_worst",
    ask="One poison point carries the label set above. **With almost no regularization (λ = −8), where does it "
        "do the most damage?**",
    choices=(OWN, BOUNDARY, OTHER),
    truth=where_worst,
    why=_where_why,
    next="raise λ to 3 (the paper's log 20) and train again: does the damaging region shrink?",
    expected=OTHER,
    because="The paper's App. C.1 heatmaps: unregularized, a mislabeled point far inside the other class "
            "drags the boundary most; near the boundary it can only shift it a little.",
    wrong={BOUNDARY: "the intuition from adversarial examples (small moves near the boundary matter most) "
                     "carried over to training-time poisons",
           OWN: "thinking of the poison as just another point of its label's class"},
    cannot="This run's poison does no damage at λ = −8 anywhere: nothing to locate.",
)


def best_lam_where_damage(result: HeatmapResult) -> str | None:
    g = result.grid
    calm = g[g.damage_small <= 0]
    if g.damage_small.max() <= 0 or calm.empty:
        return None
    gap = _worst(result, 0.75).best_lam.mean() - calm.best_lam.mean()
    return direction(gap, LAM_MARGIN, (LARGER, SAME, SMALLER))


def _lam_why(result: HeatmapResult) -> str:
    g = result.grid
    return (f"Mean best λ (log scale) where the poison does the most damage: "
            f"{_worst(result, 0.75).best_lam.mean():.1f}; where it does none: {g[g.damage_small <= 0].best_lam.mean():.1f}. "
            "Regularization pays where the poison bends the boundary: a larger penalty keeps the weights small, "
            "and one point moves them less.")


BEST_LAM = Question(
    key="best_lam",
    ask="Heatmap B will show, for each poison location, the λ that keeps validation error lowest. **Where the "
        "poison does the most damage, will that best λ be larger, about the same, or smaller than where it does "
        "none?**",
    choices=(LARGER, SAME, SMALLER),
    truth=best_lam_where_damage,
    why=_lam_why,
    next="tick “learn λ” and train again: does the minimax attack end where heatmap B's λ is large?",
    expected=LARGER,
    because="The paper's finding: the optimal λ is largest exactly where the poison does the most damage — "
            "the right λ depends on the attack, which is why a λ fixed in advance gives a pessimistic picture.",
    wrong={SAME: "treating λ as a property of the data set, tuned once and for all",
           SMALLER: "thinking regularization weakens the model's defence (it limits how far one point moves it)"},
    cannot="This run's poison does no damage at λ = −8 (or damages everywhere): nothing to compare.",
)

QUESTIONS = (WHERE, BEST_LAM)
