"""Precomputed reference tables shipped under ``data/reference/``.

Each table is a CSV with a JSON sidecar that records who made it (the sweep command and the
lesson's reference version) and its SHA-256. Loading checks both, so a file that is missing,
edited by hand, truncated, or made by an older version of a lesson is reported in one
sentence — never drawn as if it were right.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date
from pathlib import Path

import pandas as pd

from .. import __version__
from .data import data_dir
from ..core.errors import ReferenceDataError

FORMAT = 1


def reference_dir() -> Path:
    return data_dir() / "reference"


def _paths(name: str, folder: Path | None) -> tuple[Path, Path]:
    folder = folder or reference_dir()
    return folder / f"{name}.csv", folder / f"{name}.json"


def save(name: str, table: pd.DataFrame, *, lesson_version: int, command: str, settings: dict,
         folder: Path | None = None) -> Path:
    """Write ``name.csv`` and its sidecar ``name.json``; return the CSV's path."""
    csv_path, meta_path = _paths(name, folder)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    body = table.to_csv(index=False, float_format="%.6g").encode()
    meta = {
        "format": FORMAT,
        "name": name,
        "lesson_version": lesson_version,
        "package_version": __version__,
        "command": command,
        "created": date.today().isoformat(),
        "rows": len(table),
        "sha256": hashlib.sha256(body).hexdigest(),
        "settings": settings,
    }
    # Write to temporary names and rename, so an interrupted sweep never leaves a half file.
    for path, data in ((csv_path, body), (meta_path, json.dumps(meta, indent=2).encode())):
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return csv_path


def load(name: str, *, lesson_version: int, command: str, folder: Path | None = None) -> tuple[pd.DataFrame, dict]:
    """Read and verify a reference table; raise ReferenceDataError with the fix otherwise."""
    csv_path, meta_path = _paths(name, folder)
    fix = f"regenerate it with `{command}`"
    shown = f"data/reference/{csv_path.name}"
    if not csv_path.exists() or not meta_path.exists():
        raise ReferenceDataError(f"The reference table {shown} (or its .json sidecar) is missing: {fix}.")
    try:
        meta = json.loads(meta_path.read_text())
        body = csv_path.read_bytes()
    except (OSError, ValueError) as err:
        raise ReferenceDataError(f"The reference table {shown} cannot be read ({err.__class__.__name__}): {fix}.") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ReferenceDataError(f"The reference table {shown} is in an unknown format: {fix}.")
    if meta.get("lesson_version") != lesson_version:
        raise ReferenceDataError(
            f"The reference table {shown} was made by an older version of this lesson "
            f"(version {meta.get('lesson_version')}, current {lesson_version}): {fix}."
        )
    if hashlib.sha256(body).hexdigest() != meta.get("sha256"):
        raise ReferenceDataError(f"The reference table {shown} has been altered or truncated (checksum mismatch): {fix}.")
    return pd.read_csv(io.BytesIO(body)), meta
