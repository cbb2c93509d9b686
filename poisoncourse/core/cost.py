"""How long a live retrain may take, and the sentence that refuses one that would take far longer.

Every lesson estimates its run's cost from its config before it starts (a rough model fitted to
the 2-core CPU the course is sized for; see BENCHMARKS.md) and passes it here. A run that would
blow far past the live budget is refused with the estimate and a cheaper setting, rather than
freezing a student's page (marimo cannot interrupt a running cell).
"""

from __future__ import annotations

from .errors import ConfigError

LIVE_MAX_SECONDS = 20.0
# float32 multiply-add throughput the lessons' batched training reaches on the 2-core CPU
# (BENCHMARKS.md: 20.7 GFLOP/s for the width sweep, 47 % of the measured matmul rate).
CPU_FLOPS = 2.0e10


def in_words(seconds: float) -> str:
    """A duration as a student reads it: "12 s", "3 minutes", "16 hours" (not "58826 s")."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} minutes"
    hours = seconds / 3600
    return f"{hours:.0f} hours" if hours < 48 else f"{hours / 24:.0f} days"


def refuse_if_too_slow(estimate: float, max_seconds: float | None, cheaper: str, *, up_to: bool = False) -> None:
    """Raise a ConfigError if ``estimate`` seconds exceeds ``max_seconds`` (None: no limit)."""
    if max_seconds is None or estimate <= max_seconds:
        return
    raise ConfigError(
        f"This setting would take {'up to ' if up_to else ''}about {in_words(estimate)} on a 2-core CPU, more than "
        f"the {max_seconds:.0f} s a live run may take: {cheaper}."
    )
