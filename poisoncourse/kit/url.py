"""The page's address: a lesson's settings as URL query parameters.

Every control of a lesson reads its initial value from the URL (`?flip_prob=0.3&seed=7`,
:mod:`.forms`) and the lesson writes the values back when the student presses Train
(:func:`write`), so a copied link reproduces what the sender saw, seed included. Outside a
marimo session (a Jupyter kernel running the exported notebook) there is no URL: the defaults
are used and nothing is written.
"""

from __future__ import annotations

from typing import Any, Mapping

from . import paint

# Query keys marimo or the server use themselves, and the page's own (a teacher's link: ?predict=off skips the
# questions, ?hide=budget,seeds hides controls); a control must not be named like them, and they stay in the
# address when a form rewrites its keys.
RESERVED = frozenset({"file", "access_token", "refresh_token", "session_id", "predict", "hide"})
LIST_SEPARATOR = ","


def encode(value: Any) -> str:
    """One control value as URL text: numbers without float noise (0.30000000000000004 →
    0.3), booleans and None as words, lists comma-separated."""
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(encode(v) for v in value)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(value, ".10g")
    return str(value)


def query_params():
    """marimo's URL parameters, or None outside a running marimo app (e.g. in Jupyter); a painted page's
    (kit/paint.py) while it is painted."""
    painted = paint.params()
    if painted is not None:
        return painted
    try:
        import marimo as mo

        return mo.query_params()
    except Exception:  # noqa: BLE001 — no marimo context: no URL to read or write
        return None


def as_dict(params) -> dict[str, str]:
    """The parameters as one text per key (a repeated key: the last wins); {} for none."""
    if params is None:
        return {}
    out = {}
    for key in params:
        value = params.get(key) if hasattr(params, "get") else params[key]
        out[key] = value[-1] if isinstance(value, list) and value else value
    return out


def write(submitted: Mapping[str, Any] | None, prefix: str = "", params=None) -> None:
    """Put the submitted values into the URL (only those that changed, so the browser's
    history is not flooded). No-op outside a marimo app or before the first submit."""
    params = query_params() if params is None else params
    if params is None or submitted is None:
        return
    for name, value in submitted.items():
        key, text = f"{prefix}{name}", encode(value)
        if params.get(key) != text:
            params[key] = text


def switch(settings: Mapping[str, Any], params=None) -> None:
    """Record controls that re-make the lesson's main form with new defaults (Lesson 3's input
    distribution), called before that form is built.

    When one of them now differs from the link's value, the main form's keys in the URL were
    meant for the other defaults: drop them (the keys without a prefix), so the new form starts
    from its own defaults. A link's invalid value never gets here: `forms.Controls.build`
    already removed it from the URL."""
    params = query_params() if params is None else params
    if params is None:
        return
    url = as_dict(params)
    texts = {name: encode(value) for name, value in settings.items()}
    if any(name in url and url[name] != text for name, text in texts.items()):
        for key in [k for k in url if k not in RESERVED and k not in texts and "." not in k]:
            del params[key]
    write(settings, params=params)
