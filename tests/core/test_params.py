"""The declarative parameter layer: each constraint coerces what it accepts and refuses the rest
with one sentence naming the control, the value and the range; configs read their ranges back."""

from dataclasses import dataclass

import pytest

from poisoncourse.core.errors import ConfigError
from poisoncourse.core.params import (
    Choice,
    Choices,
    Flag,
    Integer,
    Items,
    Numbers,
    Optional,
    Real,
    Switch,
    Validated,
    param,
    spec,
)
from poisoncourse.labelnoise.mnist import MnistBucketsConfig
from poisoncourse.lazy.experiment import LazyConfig
from poisoncourse.neurotron.experiment import NeurotronConfig
from poisoncourse.width.experiment import WidthConfig


@dataclass(frozen=True)
class Toy(Validated):
    """Every kind once, a default filled from another field, and a rule across fields."""

    mode: str = param("a", Choice({"a": "first", "b": "second"}), label="Mode")
    budget: float = param(1.0, Real(0.0, 5.0), label="Perturbation budget", unit="pixel norm")
    steps: int = param(3, Integer(1, 10), label="Steps")
    on: bool = param(False, Flag(), label="Switch")
    radii: tuple[float, ...] = param((2, 1), Numbers(0.0, 4.0, max_count=3), label="Radii")
    widths: tuple[int, ...] = param((8,), Numbers(1, 64, whole=True), label="Widths")
    point: tuple[float, float] = param((0, 0), Items(Real(-1, 1), 2, 2, each="Coordinate x{i}",
                                                     wrong_count="A point is two numbers; got {value!r}."),
                                       label="Point")
    picks: tuple[str, ...] = param(("x",), Choices(("x", "y"), empty="Choose at least one.", each="Pick"),
                                   label="Picks")
    cap: float | None = param(None, Optional(Real(0.5, 2.0)), label="Cap")
    values: tuple[float, ...] = param((0.5,), Switch("mode", {"a": (Numbers(0.0, 1.0), "The a-values"),
                                                              "b": (Numbers(0.0, 9.0), "The b-values")}))
    limit: int | None = param(None, Integer(1, lambda c: 2 * c.steps), label=lambda c: f"Limit (at most {2 * c.steps})",
                              fill=lambda c: c.steps)
    device: str | None = None  # undeclared: left alone

    def check(self):
        if self.limit > self.steps and self.on:
            raise ConfigError(f"With the switch on, the limit must not exceed the steps; got {self.limit}.")


def refused(**kw) -> str:
    with pytest.raises(ConfigError) as err:
        Toy(**kw)
    return str(err.value)


def test_defaults_are_coerced_to_their_declared_kinds():
    t = Toy()
    assert t.budget == 1.0 and type(t.budget) is float
    assert t.radii == (1.0, 2.0) and all(type(r) is float for r in t.radii)
    assert t.widths == (8,) and type(t.widths[0]) is int
    assert t.point == (0.0, 0.0) and t.limit == 3 and t.device is None


def test_a_real_is_refused_outside_its_range_or_when_not_finite():
    assert refused(budget=6) == "Perturbation budget must be between 0 and 5; got 6."
    assert refused(budget=float("nan")) == "Perturbation budget must be between 0 and 5; got nan."
    assert refused(budget=float("inf")) == "Perturbation budget must be between 0 and 5; got inf."
    assert refused(budget="lots") == "Perturbation budget must be a number between 0 and 5; got 'lots'."
    assert Toy(budget="2.5").budget == 2.5


def test_an_integer_accepts_whole_floats_only():
    assert Toy(steps=4.0).steps == 4 and type(Toy(steps=4.0).steps) is int
    assert refused(steps=2.5) == "Steps must be a whole number between 1 and 10; got 2.5."
    assert refused(steps=0) == "Steps must be between 1 and 10; got 0."
    assert refused(steps=None) == "Steps must be a number between 1 and 10; got None."


def test_bools_count_as_the_numbers_python_gives_them_and_flags_become_bools():
    # float(True) == 1.0, as the checks at the door always did; a flag coerces anything truthy.
    assert Toy(steps=True).steps == 1
    assert Toy(on=1).on is True and Toy(on="").on is False


def test_a_choice_lists_its_options():
    assert refused(mode="c") == "Mode must be one of 'a', 'b'; got 'c'."


def test_a_list_of_numbers_is_sorted_without_repeats_and_bounded():
    assert Toy(radii=[3, 1, 3]).radii == (1.0, 3.0)
    assert refused(radii=()) == "Radii needs at least one value."
    assert refused(radii=(1, 2, 3, 4)) == "Radii may hold at most 3 values; got 4."
    assert refused(radii=(1, 5)) == "Radii must be between 0 and 4; got 5."
    assert refused(radii="12") == "Radii must be a list of numbers; got '12'."
    assert refused(radii=3) == "Radii must be a list of numbers; got 3."
    assert refused(widths=(8, 2.5)) == "Widths must be whole numbers; got (8, 2.5)."
    assert Toy(widths=(16.0, 8)).widths == (8, 16)


def test_items_keep_their_order_and_name_each_position():
    assert Toy(point=[0.5, -0.5]).point == (0.5, -0.5)
    assert refused(point=(0.5,)) == "A point is two numbers; got (0.5,)."
    assert refused(point=(0, 3)) == "Coordinate x2 must be between -1 and 1; got 3."
    assert refused(point=1) == "A point is two numbers; got 1."
    assert refused(point="ab") == "A point is two numbers; got 'ab'."


def test_choices_drop_repeats_and_need_one():
    assert Toy(picks=("y", "x", "y")).picks == ("y", "x")
    assert refused(picks=()) == "Choose at least one."
    assert refused(picks=("z",)) == "Pick must be one of 'x', 'y'; got 'z'."


def test_optional_means_none_or_a_valid_value():
    assert Toy(cap=None).cap is None and Toy(cap=1).cap == 1.0
    assert refused(cap=3) == "Cap must be between 0.5 and 2; got 3."


def test_a_switch_picks_the_constraint_and_label_by_another_field():
    assert Toy(mode="b", values=(8,)).values == (8.0,)
    assert refused(values=(8,)) == "The a-values must be between 0 and 1; got 8."


def test_bounds_labels_and_defaults_may_depend_on_the_fields_above():
    assert Toy(steps=5).limit == 5  # filled from steps
    assert refused(steps=2, limit=5) == "Limit (at most 4) must be between 1 and 4; got 5."


def test_the_rule_across_fields_runs_after_the_per_field_pass():
    assert refused(steps=2, limit=4, on=True) == "With the switch on, the limit must not exceed the steps; got 4."
    # A bad field is reported by its own sentence before any rule looks at it.
    assert refused(steps=0, on=True).startswith("Steps")


def test_spec_reads_the_declared_ranges_back():
    s = spec(Toy)
    assert (s["budget"].kind, s["budget"].low, s["budget"].high) == ("real", 0.0, 5.0)
    assert s["budget"].label == "Perturbation budget" and s["budget"].unit == "pixel norm"
    assert s["steps"].kind == "integer" and s["mode"].choices == ("a", "b")
    assert s["widths"].kind == "integers" and s["radii"].kind == "numbers"
    assert (s["point"].kind, s["point"].low, s["point"].high) == ("items", -1, 1)
    assert s["picks"].kind == "choices" and s["on"].kind == "flag"
    assert s["cap"].optional and s["cap"].kind == "real"
    assert "device" not in s
    # Resolved for the config given: a switch's case and a bound that depends on another field.
    assert (s["values"].high, s["values"].label) == (1.0, "The a-values")
    assert spec(Toy, mode="b")["values"].high == 9.0
    assert spec(Toy, steps=6)["limit"].high == 12


def test_a_spec_refuses_a_number_box_with_the_sentence_a_config_gives():
    box = spec(Toy)["budget"]
    assert box.check("2") == 2.0
    with pytest.raises(ConfigError) as from_box:
        box.check(7)
    assert str(from_box.value) == refused(budget=7)
    assert spec(Toy, steps=2)["limit"].check(4) == 4
    with pytest.raises(ConfigError, match="Limit"):
        spec(Toy, steps=2)["limit"].check(5)
    assert spec(Toy)["cap"].check(None) is None


def test_every_lesson_config_declares_its_controls():
    width = spec(WidthConfig)
    assert (width["budget"].label, width["budget"].low, width["budget"].high) == ("Perturbation budget", 0.0, 5.0)
    assert "highlight" not in width  # a rule across fields: it must be one of the widths
    assert spec(NeurotronConfig, sweep="beta", values=(0.1,))["values"].high == 1.0  # β = 1 is the paper's worst-case attack (Sec. 3.5)
    assert spec(NeurotronConfig)["n"].high == 400
    assert spec(LazyConfig, sweep="size", values=(7, 14))["values"].kind == "integers"
    assert spec(MnistBucketsConfig, n_train=400, buckets=4)["flips"].high == 100


def test_lesson_defaults_that_depend_on_other_fields_still_fill_in():
    assert NeurotronConfig(distribution="laplace").n == 50
    assert NeurotronConfig(distribution="laplace").eta == 5e-5
    assert WidthConfig(widths=(4, 8, 16)).highlight == 8
    assert LazyConfig(sweep="size", values=(14, 7)).values == (7.0, 14.0)
