"""Handwritten digits for the lessons, always from local files.

Nothing here downloads anything: every lesson must run offline, on a server where many
students share one machine. The default is ``data/mnist5k.npz``, a 5,000-image subset of
MNIST that ships with the course (see ``data/README.md``). Full MNIST or Fashion-MNIST are
used only when a user has put their IDX files under the data folder by hand.

Randomness follows the package rule: no global RNG state, every draw takes
``generator(seed, stream)``.
"""

from __future__ import annotations

import functools
import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .. import _course
from .device import generator
from .errors import ConfigError, DataError
from .params import SEED, Choice, Integer

# The folder that ships with the course (inside the installed package, or data/ of a checkout:
# see poisoncourse._course). $POISONCOURSE_DATA points elsewhere; it is read by data_dir() at
# each call, so changing it in a running session takes effect.
DATA_DIR = _course.data_dir()
DATA_ENV = "POISONCOURSE_DATA"

MNIST5K = "mnist5k.npz"
SHA256_MNIST5K = "1c8fe51b67e8450b5da2ec557a76ac16d9f186a35a5e1cc634546611d4ea4e73"

SOURCES = ("auto", "mnist5k", "mnist", "fashion_mnist")
DIGIT_CLASSES = tuple(str(d) for d in range(10))

# torchvision 0.29 reads only the uncompressed files (it strips ".gz" when checking and
# opens the plain name), so these are the names a user must provide.
IDX_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
# Source name -> torchvision class name, which is also the folder torchvision looks in.
_FOLDERS = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST"}
_LABELS = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST"}

# Stream of generator(seed, ...) used by split(); other modules use their own streams.
SPLIT_STREAM = 100


@dataclass(frozen=True, eq=False)  # eq=False: comparing tensors with == is not a bool
class Digits:
    """Images with their labels.

    images: float32 (N, 28, 28) in [0, 1]; labels: int64 (N,) indexing ``classes``;
    official_test: bool (N,), True where the image comes from the data set's official
    test split (None for mnist5k, which has no such split).
    """

    images: torch.Tensor
    labels: torch.Tensor
    source: str
    classes: tuple[str, ...]
    official_test: torch.Tensor | None = None

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def take(self, index: torch.Tensor) -> Digits:
        """The images at ``index`` (new tensors), keeping source and class names."""
        flags = None if self.official_test is None else self.official_test[index]
        return Digits(self.images[index], self.labels[index], self.source, self.classes, flags)


def data_dir() -> Path:
    """$POISONCOURSE_DATA if set, else the shipped ``data/`` folder."""
    override = os.environ.get(DATA_ENV, "").strip()
    return Path(override).expanduser() if override else DATA_DIR


def file_sha256(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- loading ------------------------------------------------------------------------------


def load_digits(source: str = "auto", root: str | os.PathLike | None = None) -> Digits:
    """Load a digit data set from local files; never downloads.

    source: "mnist5k" (the shipped file), "mnist" / "fashion_mnist" (IDX files the user put
    under ``root/MNIST/raw`` or ``root/FashionMNIST/raw``), or "auto": full MNIST when any
    of its files is under ``root`` (so a half-finished copy is reported, not silently
    skipped), else mnist5k. root defaults to data_dir().

    Files are read once per process and cached as uint8; every call builds new tensors,
    so a caller who edits its Digits in place cannot change what the next caller gets.
    """
    source = Choice(SOURCES).check(source, "source")
    folder = Path(root).expanduser() if root is not None else data_dir()
    folder = folder.resolve()
    if source == "auto":
        source = "mnist" if _any_full_file(folder, "mnist") else "mnist5k"
    files = _mnist5k_path(folder) if source == "mnist5k" else _full_paths(folder, source)
    # The files' size and mtime are part of the key: a replaced file is read again.
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    images, labels, official_test, classes = _read(source, str(folder), stamp)
    return Digits(
        images=images.to(torch.float32).div_(255.0),  # a new tensor on every call
        labels=labels.clone(),
        source=source,
        classes=classes,
        official_test=None if official_test is None else official_test.clone(),
    )


@functools.lru_cache(maxsize=4)
def _read(source: str, folder: str, stamp: tuple) -> tuple:
    """(uint8 images, int64 labels, official_test or None, classes); never handed out."""
    if source == "mnist5k":
        return _read_mnist5k(Path(folder) / MNIST5K)
    return _read_full(Path(folder), source)


def _shown(path: Path) -> str:
    """The path as a student would type it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _restore_hint(path: Path) -> str:
    if path == DATA_DIR.resolve() / MNIST5K:
        if _course.is_checkout():
            return f"restore it with `git checkout data/{MNIST5K}` (it ships with the course)"
        return "reinstall the course with `pip install --force-reinstall poisoncourse` (the file ships with it)"
    return (f"copy data/{MNIST5K} from the course repository there, or leave out `root` and "
            f"unset {DATA_ENV} to use the shipped copy")


def _mnist5k_path(folder: Path) -> tuple[Path]:
    path = folder / MNIST5K
    if not path.is_file():
        raise DataError(f"{_shown(path)} is missing: {_restore_hint(path)}.")
    return (path,)


def _read_mnist5k(path: Path) -> tuple:
    hint = _restore_hint(path)
    try:
        with np.load(path, allow_pickle=False) as z:  # never unpickle a data file
            X, y = z["X"], z["y"]
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError):
        raise DataError(f"{_shown(path)} is truncated or unreadable (not the expected .npz "
                        f"archive with arrays X and y): {hint}.") from None
    if (X.shape != (5000, 784) or y.shape != (5000,) or X.dtype != np.uint8
            or y.dtype != np.uint8 or y.max() > 9):
        raise DataError(f"{_shown(path)} does not hold 5000 uint8 images of 28x28 pixels with "
                        f"labels 0-9 (found X {X.shape} {X.dtype}, y {y.shape} {y.dtype}): {hint}.")
    # Shapes can be right and pixels still wrong: only the checksum proves the file is ours.
    if file_sha256(path) != SHA256_MNIST5K:
        raise DataError(f"{_shown(path)} has been altered or corrupted (checksum mismatch): "
                        f"{hint}.")
    images = torch.from_numpy(X.reshape(-1, 28, 28))
    return images, torch.from_numpy(y).long(), None, DIGIT_CLASSES


def _raw_folder(folder: Path, source: str) -> Path:
    return folder / _FOLDERS[source] / "raw"


def _legacy_present(folder: Path, source: str) -> bool:
    # Old torchvision versions cached the data as processed/training.pt and test.pt; the
    # current one still reads those instead of the raw files when both exist.
    processed = folder / _FOLDERS[source] / "processed"
    return all((processed / name).is_file() for name in ("training.pt", "test.pt"))


def _any_full_file(folder: Path, source: str) -> bool:
    raw = _raw_folder(folder, source)
    names = [*IDX_FILES, *(name + ".gz" for name in IDX_FILES)]
    return any((raw / name).is_file() for name in names) or _legacy_present(folder, source)


def _full_paths(folder: Path, source: str) -> tuple[Path, ...]:
    raw = _raw_folder(folder, source)
    paths = tuple(raw / name for name in IDX_FILES)
    missing = [p.name for p in paths if not p.is_file()]
    if not missing:
        return paths
    if _legacy_present(folder, source):
        processed = folder / _FOLDERS[source] / "processed"
        return tuple(processed / name for name in ("training.pt", "test.pt"))
    label = _LABELS[source]
    zipped = [name for name in missing if (raw / (name + ".gz")).is_file()]
    if zipped:
        raise DataError(f"{label} is in {_shown(raw)} only as compressed .gz files, which "
                        f"torchvision does not read: decompress them there with "
                        f"`gunzip {_shown(raw)}/*.gz`.")
    if len(missing) == len(IDX_FILES):
        what = f"{_shown(raw)} does not hold its files"
    else:
        what = f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing from {_shown(raw)}"
    raise DataError(f"{label} was requested but {what}: put the four uncompressed IDX files "
                    f"{', '.join(IDX_FILES[:-1])} and {IDX_FILES[-1]} in that folder "
                    f"(nothing is downloaded), or use source='mnist5k'.")


def _read_full(folder: Path, source: str) -> tuple:
    from torchvision import datasets  # only here: importing torchvision takes a second

    kind = getattr(datasets, _FOLDERS[source])
    label, raw = _LABELS[source], _shown(_raw_folder(folder, source))
    parts = []
    for train, prefix in ((True, "train"), (False, "t10k")):
        names = f"{prefix}-images-idx3-ubyte and {prefix}-labels-idx1-ubyte"
        fix = "replace them with fresh, uncompressed copies"
        try:
            ds = kind(str(folder), train=train, download=False)
        # torchvision checks IDX headers with assert, so a bad file raises almost anything.
        except (AssertionError, RuntimeError, ValueError, TypeError, IndexError, KeyError,
                OSError, EOFError):
            raise DataError(f"The {label} files {names} in {raw} are corrupt or not IDX "
                            f"files: {fix}.") from None
        images, labels = ds.data, ds.targets.long()
        if (images.dtype != torch.uint8 or images.ndim != 3 or tuple(images.shape[1:]) != (28, 28)
                or labels.shape != (images.shape[0],) or labels.numel() == 0
                or labels.min() < 0 or labels.max() > 9):
            raise DataError(f"The {label} files {names} in {raw} do not hold matching 28x28 "
                            f"images and labels 0-9 (images {tuple(images.shape)}, labels "
                            f"{tuple(labels.shape)}): {fix}.")
        parts.append((images, labels, torch.full((len(labels),), not train)))
    images, labels, official_test = (torch.cat(t) for t in zip(*parts))
    classes = DIGIT_CLASSES if source == "mnist" else tuple(kind.classes)
    return images, labels, official_test, classes


# --- subsets and sizes ----------------------------------------------------------------------


def split(digits: Digits, n_train: int, n_test: int, seed: int,
          classes: tuple[int, ...] | None = None) -> tuple[Digits, Digits]:
    """Disjoint, seeded train and test subsets, each in random order.

    classes: labels to keep (e.g. (0, 8)); labels keep their original values. The draw is
    class-balanced: images are dealt round-robin over the classes in a shuffled order, so
    each subset holds nearly equal counts per class while the smallest class lasts.
    """
    seed = Integer(0, SEED).check(seed, "Seed")
    n_classes = len(digits.classes)
    if classes is None:
        keep = tuple(range(n_classes))
    else:
        if isinstance(classes, (str, bytes)) or not hasattr(classes, "__len__") or len(classes) == 0:
            raise ConfigError(f"classes must be a non-empty tuple of labels such as (0, 8); "
                              f"got {classes!r}.")
        keep = tuple(Integer(0, n_classes - 1).check(c, "Each entry of classes")
                     for c in classes)
        if len(set(keep)) != len(keep):
            raise ConfigError(f"classes must not repeat a label; got {classes!r}.")
    mask = torch.isin(digits.labels, torch.tensor(keep, dtype=digits.labels.dtype))
    candidates = torch.nonzero(mask).squeeze(1)
    available = len(candidates)
    scope = "" if classes is None else f" with labels in {keep}"
    if available < 2:
        raise ConfigError(f"Only {available} image(s){scope} are available but a split needs at "
                          f"least 2: choose other classes.")
    n_train = Integer(1, available - 1).check(n_train, f"n_train ({available} images available{scope})")
    n_test = Integer(1, available - 1).check(n_test, f"n_test ({available} images available{scope})")
    if n_train + n_test > available:
        raise ConfigError(f"n_train + n_test must be at most {available}, the number of images"
                          f"{scope}; got {n_train} + {n_test} = {n_train + n_test}: lower one "
                          f"of them.")

    g = generator(seed, SPLIT_STREAM)
    shuffled = candidates[torch.randperm(available, generator=g)]
    # Rank of each image within its class in the shuffled order; sorting by rank (stably)
    # deals one image of each class, then a second of each, and so on.
    onehot = F.one_hot(digits.labels[shuffled], num_classes=n_classes)
    rank = (onehot.cumsum(0) * onehot).sum(1)
    dealt = shuffled[torch.sort(rank, stable=True).indices]
    train = dealt[:n_train]
    test = dealt[n_train:n_train + n_test]
    # Undo the periodic class pattern of the deal, so a stream over train is not cyclic.
    train = train[torch.randperm(n_train, generator=g)]
    test = test[torch.randperm(n_test, generator=g)]
    return digits.take(train), digits.take(test)


def resize(images: torch.Tensor, size: int) -> torch.Tensor:
    """Downsample (N, 28, 28) images to (N, size, size).

    Area averaging when size divides 28 (each pixel is the mean of a block, exactly),
    antialiased bilinear otherwise; both keep values inside the input's range.
    """
    if not isinstance(images, torch.Tensor) or images.ndim != 3 or images.shape[1] != images.shape[2]:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ConfigError(f"resize needs a tensor of square images shaped (N, side, side); got {shape}.")
    side = int(images.shape[-1])
    size = Integer(2, side).check(size, "Image size")
    x = images.to(torch.float32).unsqueeze(1)  # interpolate wants (N, C, H, W)
    if side % size == 0:
        out = F.interpolate(x, size=(size, size), mode="area")
    else:
        out = F.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
    return out.squeeze(1)
