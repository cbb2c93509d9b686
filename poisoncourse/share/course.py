"""The course map: the lessons in order, each with the paper it follows.

Titles and one-line summaries live in each lesson's own header (the PEP 723
``[tool.marimo.opengraph]`` table the marimo gallery reads), so they are written once.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .. import _course


@dataclass(frozen=True)
class Paper:
    title: str
    authors: str
    venue: str
    url: str


PAPERS = {
    "lesson1_width": Paper("Robust learning for data poisoning attacks", "Wang, Mianjy, Arora", "ICML 2021",
                           "https://proceedings.mlr.press/v139/wang21r.html"),
    "lesson2_regularization": Paper("Regularization can help mitigate poisoning attacks… with the right "
                                    "hyperparameters", "Carnerero-Cano, Muñoz-González, Spencer, Lupu",
                                    "ICLR 2021 workshop", "https://arxiv.org/abs/2105.10948"),
    "lesson3_neurotron": Paper("Depth-2 neural networks under a data-poisoning attack",
                               "Karmakar, Mukherjee, Papamarkou", "Neurocomputing 2023", "https://arxiv.org/abs/2005.01699"),
    "lesson4_labelnoise": Paper("Crafting label noise (building on Sanyal et al., “How benign is benign "
                                "overfitting?”, ICLR 2021)", "Gopal", "thesis, 2021",
                                "https://arxiv.org/abs/2007.04028"),
    "lesson5_lazy": Paper("Adversarial robustness is at odds with lazy training", "Wang, Ullah, Mianjy, Arora",
                          "NeurIPS 2022", "https://arxiv.org/abs/2207.00411"),
}


@dataclass(frozen=True)
class Lesson:
    path: Path
    title: str
    summary: str
    paper: Paper | None

    @property
    def name(self) -> str:
        return self.path.stem


def apps_dir() -> Path:
    """The lessons folder: inside the installed package, or apps/ of a checkout (see poisoncourse._course)."""
    return _course.apps_dir()


def header(path: Path) -> dict:
    """The PEP 723 ``# /// script`` table at the top of a lesson file."""
    text = path.read_text(encoding="utf-8")
    m = re.search(r"^# /// script\s*$(.*?)^# ///\s*$", text, re.S | re.M)
    if not m:
        return {}
    body = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in m.group(1).splitlines())
    return tomllib.loads(body)


def lessons(folder: Path | None = None) -> list[Lesson]:
    out = []
    for path in sorted((folder or apps_dir()).glob("lesson*.py")):
        meta = header(path).get("tool", {}).get("marimo", {}).get("opengraph", {})
        out.append(Lesson(path, meta.get("title", path.stem), meta.get("description", ""), PAPERS.get(path.stem)))
    return out
