"""Where computations run, and where their randomness comes from.

Two rules keep students on one server from disturbing each other:
* no global RNG state: every random draw takes an explicit ``torch.Generator``;
* no global torch settings are changed here (threads, default dtype, seeds).
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from .errors import ConfigError

DEVICE_ENV = "POISONCOURSE_DEVICE"


def pick_device(preference: str | None = None) -> torch.device:
    """CUDA when available, else CPU; ``preference`` or $POISONCOURSE_DEVICE overrides.

    Accepted values: "auto", "cpu", "cuda", "cuda:N".
    """
    want = (preference or os.environ.get(DEVICE_ENV) or "auto").strip().lower()
    if want == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if want == "cpu":
        return torch.device("cpu")
    if want.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ConfigError(
                f"Device {want!r} was requested (via {DEVICE_ENV} or an argument) but no CUDA GPU "
                f"is available here; unset {DEVICE_ENV} or set it to 'cpu'."
            )
        try:
            return torch.device(want)
        except RuntimeError:
            pass
    raise ConfigError(f"Device must be 'auto', 'cpu' or 'cuda[:N]'; got {want!r}.")


def describe(device: torch.device) -> str:
    """A short human name for the device, e.g. 'CPU (2 threads)', 'CPU (1 thread)' or 'CUDA: NVIDIA H100'."""
    if device.type == "cuda":
        return f"CUDA: {torch.cuda.get_device_name(device)}"
    n = torch.get_num_threads()
    return f"CPU ({n} thread{'' if n == 1 else 's'})"


def generator(seed: int, *stream: int) -> torch.Generator:
    """A fresh CPU generator for (seed, stream...).

    Streams separate independent sources of randomness drawn from one student-facing seed
    (the problem, the data stream, the attack's coins), so changing how much of one is drawn
    never shifts the others. Draws happen on the CPU and are moved to the device afterwards:
    the same seed then gives the same numbers on CPU and GPU.
    """
    state = np.random.SeedSequence([int(seed), *map(int, stream)]).generate_state(2, np.uint32)
    return torch.Generator().manual_seed(int(state[0]) << 32 | int(state[1]))


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@dataclass
class Stopwatch:
    """Wall-clock seconds of a block, synchronising the GPU so the time is real."""

    device: torch.device
    seconds: float = float("nan")

    @contextmanager
    def running(self):
        synchronize(self.device)
        self._start = start = time.perf_counter()
        try:
            yield self
        finally:
            synchronize(self.device)
            self.seconds = time.perf_counter() - start

    def elapsed(self) -> float:
        """Seconds since the block began (a partial result's time; no GPU sync)."""
        return time.perf_counter() - self._start
