"""A teacher's focused page: ``?hide=budget,seeds`` hides named controls (TensorFlow Playground's
instructor links).

A hidden control is still built, holds the link's value (or its default) and is applied by Train —
it is only not shown, together with the words right before it ("· seeds {seeds}"). A second form's
controls are named with its prefix (``hide=convex.seeds``). The key is never written by Train
(:mod:`.url` writes only the controls' own keys and keeps ``hide``), so the page stays focused after
every retrain. A name that no control of the form carries is reported in one sentence.
"""

from __future__ import annotations

import re

KEY = "hide"
# The words that belong to a control: from the last separator (· — | a line break or another
# control's placeholder) up to its {placeholder}.
_SEPARATORS = r"[·—|\n}]"


def names(url: dict[str, str]) -> set[str]:
    """The keys the link asks to hide."""
    return {n.strip() for n in url.get(KEY, "").split(",") if n.strip()}


def conceal(text: str, controls, url: dict[str, str], prefix: str = "") -> tuple[str, list[str]]:
    """The form's text with the hidden controls (and their words) wrapped in a hidden span, and the
    warnings for names this form should have but does not (those with its prefix, or without any
    prefix for the main form)."""
    asked = names(url)
    mine = {n[len(prefix):] for n in asked if n.startswith(prefix) and ("." not in n[len(prefix):])}
    for name in sorted(mine & set(controls)):
        marker = "{" + name + "}"
        text = re.sub(rf"((?:(?<={_SEPARATORS})|^)[^·—|\n{{}}]*){re.escape(marker)}",
                      lambda m: f'<span hidden style="display:none">{m.group(0)}</span>', text, count=1,
                      flags=re.M)
    unknown = sorted(mine - set(controls))
    warnings = [f"The link's hide={','.join(prefix + n for n in unknown)} names no control of this form "
                f"(its controls: {', '.join(prefix + c for c in controls)}); nothing else was hidden."] if unknown else []
    return text, warnings
