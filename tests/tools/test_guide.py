"""The teacher's guide (tools/guide.py + tools/teachers.md): per lesson its goals, prerequisites and the
predictions' answers — generated from the questions the pages ask — linked from the front page and the
static export, and shipped in the wheel."""

import importlib
import re
from pathlib import Path

from poisoncourse.tools import course, export, front, guide

ROOT = Path(__file__).resolve().parents[2]


def test_predict_the_guide_lists_every_lessons_questions_with_their_expected_answers():
    text = guide.markdown()
    for n, lesson in enumerate(course.lessons(), 1):
        package = lesson.path.stem.split("_", 1)[1]
        section = text.split(f"## Lesson {n} ·", 1)[1].split("## ", 1)[0]
        assert "**Learning goals.**" in section and "**Prerequisites.**" in section
        for q in importlib.import_module(f"poisoncourse.{package}.questions").QUESTIONS:
            assert q.ask.replace("\n", " ") in section and f"**{guide._answer(q)}**" in section
            assert all(f"*{wrong}*" in section for wrong in q.wrong)
    assert "{{" not in text and "A 90-minute workshop" in text and "A 3-hour workshop" in text
    assert "estimate" in text  # the durations say how they were made


def test_the_guide_renders_as_a_page_with_its_tables():
    page = guide.html()
    assert page.startswith("<!DOCTYPE html>") and page.count("<table>") >= 3 and "<h2>Lesson 5 ·" in page


def test_the_front_page_and_the_export_link_the_guide():
    assert 'href="?guide=teachers"' in front.page()
    assert front.guide_page() == front.guide_page() and "teacher&#x27;s guide" not in front.guide_page()[:10]
    assert 'href="teachers.html"' in export.index_page(course.lessons(), Path("/nonexistent"), "2026-12-06")


def test_the_guide_ships_in_the_wheel():
    setup = (ROOT / "setup.py").read_text()
    assert re.search(r'"poisoncourse\.tools": \["teachers\.md"\]', setup)
    assert (ROOT / "poisoncourse" / "tools" / guide.GUIDE_FILE).is_file()
