"""Claims about poisoncourse.data: local files only, clear errors, seeded splits."""

from __future__ import annotations

import shutil
import struct

import numpy as np
import pytest
import torch

from poisoncourse.core import data
from poisoncourse.core.data import Digits, load_digits, resize, split
from poisoncourse.core.errors import ConfigError, DataError

SHIPPED = data.DATA_DIR / data.MNIST5K


@pytest.fixture(scope="module")
def digits() -> Digits:
    return load_digits("mnist5k", root=data.DATA_DIR)


def write_idx(raw, prefix: str, images: np.ndarray, labels: np.ndarray) -> None:
    """IDX files as on the MNIST site: big-endian magic 2051 (images) / 2049 (labels)."""
    raw.mkdir(parents=True, exist_ok=True)
    n = len(labels)
    (raw / f"{prefix}-images-idx3-ubyte").write_bytes(
        struct.pack(">IIII", 2051, n, 28, 28) + images.astype(np.uint8).tobytes())
    (raw / f"{prefix}-labels-idx1-ubyte").write_bytes(
        struct.pack(">II", 2049, n) + labels.astype(np.uint8).tobytes())


def fake_full(root, folder: str = "MNIST", n_train: int = 6, n_test: int = 4):
    rng = np.random.default_rng(0)
    tr_x = rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8)
    te_x = rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8)
    tr_y, te_y = np.arange(n_train) % 10, (np.arange(n_test) + 3) % 10
    raw = root / folder / "raw"
    write_idx(raw, "train", tr_x, tr_y)
    write_idx(raw, "t10k", te_x, te_y)
    return raw, np.concatenate([tr_x, te_x]), np.concatenate([tr_y, te_y])


# --- the shipped file ----------------------------------------------------------------------


def test_shipped_file_matches_its_published_checksum():
    assert data.file_sha256(SHIPPED) == data.SHA256_MNIST5K


def test_shipped_file_holds_5000_images_500_per_class_in_unit_range(digits):
    assert len(digits) == 5000
    assert digits.images.shape == (5000, 28, 28) and digits.images.dtype == torch.float32
    assert digits.labels.dtype == torch.int64
    assert torch.bincount(digits.labels).tolist() == [500] * 10
    assert 0.0 <= digits.images.min() and digits.images.max() <= 1.0
    assert digits.images.max() == 1.0  # scaled by 255, not left as bytes
    assert digits.source == "mnist5k" and digits.classes == tuple("0123456789")
    assert digits.official_test is None


def test_editing_a_loaded_copy_does_not_change_the_next_load():
    first = load_digits("mnist5k", root=data.DATA_DIR)
    first.images.zero_()
    first.labels.fill_(7)
    again = load_digits("mnist5k", root=data.DATA_DIR)
    assert again.images.max() == 1.0
    assert torch.bincount(again.labels).tolist() == [500] * 10


def test_auto_falls_back_to_mnist5k_without_full_mnist(tmp_path):
    shutil.copy(SHIPPED, tmp_path / data.MNIST5K)
    assert load_digits("auto", root=tmp_path).source == "mnist5k"


def test_unknown_source_is_a_config_error():
    with pytest.raises(ConfigError, match="source"):
        load_digits("cifar")


# --- broken copies of the shipped file -----------------------------------------------------


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(DataError, match="mnist5k.npz is missing"):
        load_digits("mnist5k", root=tmp_path)


def test_data_folder_can_be_moved_with_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    assert data.data_dir() == tmp_path
    with pytest.raises(DataError, match="mnist5k.npz is missing"):
        load_digits()
    shutil.copy(SHIPPED, tmp_path / data.MNIST5K)
    assert len(load_digits()) == 5000


def test_truncated_file_is_a_data_error(tmp_path):
    (tmp_path / data.MNIST5K).write_bytes(SHIPPED.read_bytes()[:1000])
    with pytest.raises(DataError, match="truncated or unreadable"):
        load_digits("mnist5k", root=tmp_path)


def test_altered_but_valid_file_fails_the_checksum(tmp_path):
    with np.load(SHIPPED) as z:
        X, y = z["X"].copy(), z["y"].copy()
    X[0, 300] ^= 1
    np.savez(tmp_path / data.MNIST5K, X=X, y=y)
    with pytest.raises(DataError, match="checksum mismatch"):
        load_digits("mnist5k", root=tmp_path)


def test_file_with_wrong_shapes_is_a_data_error(tmp_path):
    np.savez(tmp_path / data.MNIST5K, X=np.zeros((10, 784), np.uint8), y=np.zeros(10, np.uint8))
    with pytest.raises(DataError, match="does not hold 5000"):
        load_digits("mnist5k", root=tmp_path)


def test_errors_are_one_sentence(tmp_path):
    with pytest.raises(DataError) as err:
        load_digits("mnist5k", root=tmp_path)
    text = str(err.value)
    assert text.endswith(".") and "\n" not in text


# --- full MNIST / Fashion-MNIST from IDX files --------------------------------------------


def test_full_mnist_is_read_from_idx_files_and_keeps_the_official_split(tmp_path):
    _, X, y = fake_full(tmp_path)
    d = load_digits("mnist", root=tmp_path)
    assert d.source == "mnist" and len(d) == 10
    torch.testing.assert_close(d.images, torch.from_numpy(X).float() / 255)
    assert d.labels.tolist() == y.tolist()
    assert d.official_test.tolist() == [False] * 6 + [True] * 4


def test_auto_prefers_full_mnist_when_its_files_are_present(tmp_path):
    fake_full(tmp_path)
    assert load_digits("auto", root=tmp_path).source == "mnist"


def test_fashion_mnist_reads_its_own_folder_and_class_names(tmp_path):
    fake_full(tmp_path, folder="FashionMNIST")
    d = load_digits("fashion_mnist", root=tmp_path)
    assert d.source == "fashion_mnist" and len(d) == 10
    assert d.classes[0] == "T-shirt/top" and len(d.classes) == 10


def test_missing_full_mnist_says_which_files_go_where(tmp_path):
    with pytest.raises(DataError) as err:
        load_digits("mnist", root=tmp_path)
    text = str(err.value)
    assert "MNIST/raw" in text and "nothing is downloaded" in text
    for name in data.IDX_FILES:
        assert name in text


def test_partial_full_mnist_is_reported_not_silently_replaced(tmp_path):
    raw, _, _ = fake_full(tmp_path)
    (raw / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte is missing"):
        load_digits("auto", root=tmp_path)


def test_compressed_idx_files_get_a_gunzip_hint(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in data.IDX_FILES:
        (raw / f"{name}.gz").write_bytes(b"")
    with pytest.raises(DataError, match="gunzip"):
        load_digits("mnist", root=tmp_path)


def test_corrupt_idx_file_is_a_data_error(tmp_path):
    raw, _, _ = fake_full(tmp_path)
    (raw / "t10k-images-idx3-ubyte").write_bytes(b"\x00" * 20)
    with pytest.raises(DataError, match="t10k-images-idx3-ubyte.*corrupt"):
        load_digits("mnist", root=tmp_path)


# --- split -----------------------------------------------------------------------------------


def test_split_is_a_function_of_the_seed(digits):
    a_train, a_test = split(digits, 100, 50, seed=1)
    b_train, b_test = split(digits, 100, 50, seed=1)
    c_train, _ = split(digits, 100, 50, seed=2)
    assert torch.equal(a_train.images, b_train.images) and torch.equal(a_test.labels, b_test.labels)
    assert not torch.equal(a_train.images, c_train.images)


def test_split_is_disjoint_with_the_requested_sizes(digits):
    train, test = split(digits, 300, 200, seed=0)
    assert len(train) == 300 and len(test) == 200
    flat = digits.images.reshape(len(digits), -1)
    # The shipped images are all distinct, so images identify rows.
    assert len(torch.unique(flat, dim=0)) == len(digits)
    both = torch.cat([train.images, test.images]).reshape(500, -1)
    assert len(torch.unique(both, dim=0)) == 500


def test_split_keeps_only_the_requested_classes_balanced(digits):
    train, test = split(digits, 100, 60, seed=3, classes=(0, 8))
    assert set(train.labels.tolist()) == {0, 8} and set(test.labels.tolist()) == {0, 8}
    assert torch.bincount(train.labels, minlength=9)[[0, 8]].tolist() == [50, 50]
    assert torch.bincount(test.labels, minlength=9)[[0, 8]].tolist() == [30, 30]


def test_split_of_full_mnist_carries_the_official_test_flags(tmp_path):
    fake_full(tmp_path)
    train, test = split(load_digits("mnist", root=tmp_path), 5, 5, seed=0)
    assert sorted(train.official_test.tolist() + test.official_test.tolist()) == [False] * 6 + [True] * 4


@pytest.mark.parametrize("n_train", [0, -3, 2.5, 5000])
def test_bad_n_train_is_a_config_error_naming_it(digits, n_train):
    with pytest.raises(ConfigError, match=r"n_train \(5000 images available\)"):
        split(digits, n_train, 10, seed=0)


def test_too_many_images_for_the_chosen_classes_names_the_available_count(digits):
    with pytest.raises(ConfigError, match="at most 1000"):
        split(digits, 900, 200, seed=0, classes=(0, 8))


def test_bad_classes_are_config_errors(digits):
    for bad in [(), (10,), (1, 1), 3, np.int64(3), "08"]:
        with pytest.raises(ConfigError, match="classes"):
            split(digits, 10, 10, seed=0, classes=bad)


# --- resize ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 7, 10, 14, 28])
def test_resize_gives_the_requested_shape_inside_the_unit_range(digits, size):
    out = resize(digits.images[:5], size)
    assert out.shape == (5, size, size)
    assert out.min() >= 0.0 and out.max() <= 1.0 + 1e-6


def test_resize_by_a_divisor_averages_blocks(digits):
    out = resize(digits.images[:1], 14)
    assert torch.isclose(out[0, 5, 6], digits.images[0, 10:12, 12:14].mean())


@pytest.mark.parametrize("size", [1, 29, "x"])
def test_resize_rejects_sizes_outside_2_to_28(digits, size):
    with pytest.raises(ConfigError, match="size"):
        resize(digits.images[:2], size)
