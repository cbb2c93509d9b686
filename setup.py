"""Packs the course's top-level apps/ and data/ folders into the package (pyproject.toml holds the rest).

They stay at the top of the repository, where students and teachers look for them; in a wheel or an
sdist install they become poisoncourse/_course/apps and poisoncourse/_course/data, and
poisoncourse._course finds them there (or, in a checkout, at the top of the repository).
"""

from setuptools import find_packages, setup

COURSE = {"poisoncourse._course.apps": "apps", "poisoncourse._course.data": "data"}

setup(
    packages=find_packages(include=["poisoncourse", "poisoncourse.*"]) + list(COURSE),
    package_dir=COURSE,
    package_data={
        "poisoncourse.kit": ["*.js"],  # the live chart's front-end (kit/livechart.js)
        "poisoncourse._course.apps": ["lesson*.py"],
        "poisoncourse.tools": ["teachers.md"],  # the teacher's guide (issue 26)
        "poisoncourse._course.data": ["README.md", "mnist5k.npz", "paper000_fig3.csv", "reference/*.csv",
                                      "reference/*.json"],
    },
)
