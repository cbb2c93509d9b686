"""Guard rails: a live retrain estimated to take far beyond its budget is refused with the
estimate and a cheaper setting; the lessons' defaults stay well inside it."""

import pytest

from poisoncourse.core.errors import ConfigError
from poisoncourse.labelnoise import experiment as ln
from poisoncourse.lazy import experiment as lz
from poisoncourse.neurotron import experiment as nt
from poisoncourse.width import experiment as W

CASES = [
    (W, W.WidthConfig(), W.WidthConfig(widths=(2, 8, 32, 128, 512, 2048, 8192), epochs=100, n_train=3000),
     "widest widths"),
    (ln, ln.LabelNoiseConfig(), ln.LabelNoiseConfig(max_epochs=5000), "maximum epochs"),
    (lz, lz.LazyConfig(), lz.LazyConfig(width=1600, epochs=40, n_train=800), "smaller width"),
    (nt, nt.NeurotronConfig.live(), nt.NeurotronConfig.live(iterations=40_000, seeds=10), "iterations"),
]


@pytest.mark.parametrize("module, default, huge, fix", CASES, ids=lambda x: getattr(x, "__name__", None))
def test_far_too_slow_settings_are_refused_with_an_estimate_and_a_cheaper_setting(module, default, huge, fix):
    assert module.estimated_seconds(default) < module.LIVE_MAX_SECONDS / 2
    with pytest.raises(ConfigError, match=rf"about \d+ (s|minutes|hours|days) on a 2-core CPU.*{fix}"):
        module.run(huge, max_seconds=module.LIVE_MAX_SECONDS)


def test_a_refusal_states_its_time_in_words():
    # issue 13: "about 58826 s" is not a duration a student reads; "about 16 hours" is.
    from poisoncourse.core import cost
    assert [cost.in_words(s) for s in (3, 178, 58_826, 400_000)] == ["3 s", "3 minutes", "16 hours", "5 days"]
