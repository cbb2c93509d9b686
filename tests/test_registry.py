"""The lesson protocol is declared once (poisoncourse.registry) and every tool goes over it."""

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from poisoncourse import registry
from poisoncourse.lesson import Lesson, Reference
from poisoncourse.tools import bench, course, sweep

APPS = Path(__file__).resolve().parents[1] / "apps"
LESSONS = registry.LESSONS
ids = [x.name for x in LESSONS]


def test_the_lessons_are_numbered_in_course_order_each_in_its_own_subpackage():
    assert [x.number for x in LESSONS] == list(range(1, len(LESSONS) + 1))
    assert len(set(ids)) == len(ids)
    for x in LESSONS:
        assert isinstance(x, Lesson)
        assert x.app == f"lesson{x.number}_{x.name}.py"
        assert registry.lesson(x.name) is x
        assert x.run.__module__.startswith(f"poisoncourse.{x.name}.")


def test_an_unknown_lesson_is_refused_with_the_list_of_lessons():
    with pytest.raises(Exception, match="the lessons are width, regularization"):
        registry.lesson("depth")


def test_every_app_has_a_registry_entry_and_every_entry_an_app():
    assert {p.name for p in APPS.glob("lesson*.py")} == {x.app for x in LESSONS}


@pytest.mark.parametrize("lesson", LESSONS, ids=ids)
def test_the_registry_holds_the_title_and_the_app_no_header_marimo_refuses(lesson):
    # The course map and the front page read the registry. marimo 0.25 ignores a [tool.marimo.opengraph]
    # table in an app's header "for security reasons" and says so at every load and export: none is kept.
    assert "opengraph" not in course.header(APPS / lesson.app).get("tool", {}).get("marimo", {})
    assert f'app_title="{lesson.title}"' in (APPS / lesson.app).read_text(encoding="utf-8")


def test_the_course_map_is_the_registry_in_order():
    pages = course.lessons(APPS)
    assert [p.key for p in pages] == ids
    assert [p.path.name for p in pages] == [x.app for x in LESSONS]
    assert all(p.paper is not None and p.paper.url.startswith("https://") for p in pages)


@pytest.mark.parametrize("lesson", LESSONS, ids=ids)
def test_each_lesson_declares_its_config_run_twins_and_benchmark(lesson):
    assert dataclasses.is_dataclass(lesson.config) and lesson.config.__dataclass_params__.frozen
    assert callable(lesson.run)
    assert lesson.twins and lesson.bench
    for twin in lesson.twins:  # one name for the loop twin across the course
        assert twin.one_at_a_time.__name__ == "run_one_at_a_time"
        assert twin.batched.__module__ == twin.one_at_a_time.__module__


def test_the_benchmark_covers_every_registered_lesson():
    cases = bench.all_cases(quick=True)
    assert list(dict.fromkeys(c.lesson for c in cases)) == ids  # every lesson, in course order
    for x in LESSONS:
        assert [c.case for c in bench.all_cases(quick=True, lesson=x.name)] == [c.case for c in x.bench_cases(True)]
        assert all(c.baseline is not None for c in x.bench_cases(True))


def test_the_sweep_covers_every_registered_lesson():
    choices = next(a for a in sweep.parser()._actions if a.dest == "lesson").choices
    assert list(choices) == ids
    assert all(x.references for x in LESSONS)


@pytest.mark.parametrize("lesson", LESSONS, ids=ids)
def test_each_reference_table_builds_its_quick_configs(lesson):
    for table in lesson.references:
        assert table.command == f"poisoncourse sweep {lesson.name}"
        assert list(table.configs(seeds=1, quick=True))


@pytest.mark.parametrize("lesson", LESSONS, ids=ids)
def test_every_shipped_reference_loads_as_one_type(lesson):
    for table in lesson.references:
        loaded = table.load()
        assert isinstance(loaded, Reference) and isinstance(loaded.table, pd.DataFrame) and len(loaded.table)
        assert loaded.meta["name"] == table.name and loaded.meta["lesson_version"] == table.version


def test_width_declares_its_sweep_options_and_saves_the_cnn_sweep_apart():
    table, curve = registry.lesson("width").references  # the width sweep, and accuracy against budget
    assert curve.name == "width_budget" and not curve.options  # an option's sweep (--victim cnn) skips it
    assert [o.name for o in table.options] == ["scale", "victim"]
    assert table.file_name({}) == table.file_name({"victim": "mlp", "scale": "cpu"}) == "width"
    assert table.file_name({"victim": "cnn"}) == "width_cnn"
    assert table.command_for({"victim": "cnn"}) == "poisoncourse sweep width --victim cnn"


@pytest.mark.parametrize("argv, message", [
    (["neurotron", "--scale", "cpu"], "the neurotron sweep has no --scale option"),
    (["lazy", "--quick", "--victim", "cnn"], "the lazy sweep has no --victim option"),
    (["width", "--quick", "--scale", "huge"], "--scale huge is not offered for the width sweep; choose one of cpu, gpu"),
])
def test_a_sweep_option_the_lesson_does_not_declare_is_refused(argv, message, capsys):
    assert sweep.main(argv) == 2
    assert message in capsys.readouterr().err


def test_the_tools_read_declarations_and_discover_nothing():
    share = Path(sweep.__file__).parent
    for name in ("sweep.py", "bench.py", "course.py", "export.py", "cli.py"):
        text = (share / name).read_text()
        for probe in ("import inspect", "importlib.import_module", "hasattr(module", "getattr(module", "LESSON_MODULES"):
            assert probe not in text, f"{name} uses {probe}"


def test_regularization_experiment_no_longer_re_exports_the_mnist_reference():
    from poisoncourse.regularization import experiment, mnist

    assert "reference_configs" not in vars(experiment) and "load_reference" not in vars(experiment)
    assert registry.lesson("regularization").references == (mnist.REFERENCE,)


@pytest.mark.parametrize("lesson", LESSONS, ids=ids)
def test_a_gallery_card_shows_the_whole_summary(lesson):
    # marimo 0.25's gallery card clamps the description at three lines of ~45 characters
    # (three cards a row, text-sm, line-clamp-3): a longer summary is cut mid-sentence.
    assert len(lesson.summary) <= 110, f"{lesson.app}: {len(lesson.summary)} characters"


@pytest.mark.parametrize("lesson", LESSONS, ids=ids)
def test_the_page_heading_begins_with_the_gallery_cards_title(lesson):
    # The student clicks a card and must land on a page with the card's title.
    text = (APPS / lesson.app).read_text()
    heading = next(line.strip() for line in text.splitlines() if line.strip().startswith("# Lesson"))
    assert heading.startswith(f"# {lesson.title}"), heading


# --- the house: the same rooms in every lesson, and imports that run one way --------------------

PACKAGE = Path(registry.__file__).resolve().parent
# Every lesson keeps the same job under the same name: the science and its config, its charts, the
# sentences that state numbers, and the page's controls and helpers. Science extras sit beside them.
ROOMS = ("experiment", "charts", "prose", "panels")
# Floors from the bottom: a module imports only from its own floor or the floors below it.
FLOORS = {"core": 0, "_course": 0, "lesson": 1, "kit": 2, **{x.name: 3 for x in LESSONS}, "registry": 4, "tools": 5,
          "__init__": 6, "__main__": 6, "__version__": 0}  # the version, a constant any floor may quote


@pytest.mark.parametrize("lesson", LESSONS, ids=ids)
def test_every_lesson_has_the_same_rooms(lesson):
    folder = PACKAGE / lesson.name
    assert [room for room in ROOMS if not (folder / f"{room}.py").is_file()] == []
    assert not (folder / "lesson.py").exists(), "'lesson' means the protocol (poisoncourse/lesson.py) only"


def imported(path: Path) -> set[str]:
    """The poisoncourse modules a file imports (relative imports resolved), as dotted names."""
    import ast

    here = path.relative_to(PACKAGE.parent).with_suffix("").parts
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("poisoncourse")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = here[:len(here) - node.level]
                base = ".".join([*parent, base] if base else parent)
            if base.startswith("poisoncourse"):
                out |= {f"{base}.{a.name}" for a in node.names}
    return out


def floor(module: str) -> int:
    return FLOORS[module.split(".")[1] if "." in module else "__init__"]


def test_no_import_runs_up_the_floors_and_no_lesson_imports_another():
    upward = []
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for target in imported(path):
            if floor(target) > floor(module) or (floor(module) == floor(target) == 3
                                                 and target.split(".")[1] != module.split(".")[1]):
                upward.append(f"{module} imports {target}")
    assert upward == []


def test_the_pages_import_their_lesson_and_the_kit_only():
    for lesson in LESSONS:
        reached = {m.split(".")[1] for m in imported(APPS / lesson.app) if "." in m}
        assert reached <= {lesson.name, "kit"}, lesson.app


@pytest.mark.parametrize("lesson", LESSONS, ids=ids)
def test_every_page_is_at_most_300_lines(lesson):
    # A page is prose, controls, one call per panel and charts: longer means logic or text that belongs in the
    # lesson's rooms (its prose, panels or charts) has grown back into it.
    lines = (APPS / lesson.app).read_text(encoding="utf-8").count("\n")
    assert lines <= 300, f"{lesson.app} has {lines} lines: move text into prose.py, helpers into panels.py"
