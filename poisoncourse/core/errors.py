"""Errors meant to be read by a student, not a programmer.

Every exception raised on purpose by the package carries one complete sentence that says
what went wrong and what to do; the apps show it in a callout instead of a traceback.
"""


class CourseError(Exception):
    """Base class: ``str(err)`` is a sentence fit for a student."""


class ConfigError(CourseError, ValueError):
    """A control or argument is out of its allowed range."""


class DataError(CourseError):
    """A data file is missing, truncated or not the file we expect."""


class ReferenceDataError(CourseError):
    """A shipped, precomputed reference table is missing, altered or out of date."""
