import pytest
import torch

from poisoncourse.core.device import DEVICE_ENV, describe, generator, pick_device
from poisoncourse.core.errors import ConfigError


def test_cpu_can_be_forced_by_the_environment(monkeypatch):
    monkeypatch.setenv(DEVICE_ENV, "cpu")
    assert pick_device() == torch.device("cpu")


def test_auto_uses_cuda_exactly_when_available(monkeypatch):
    monkeypatch.delenv(DEVICE_ENV, raising=False)
    assert pick_device().type == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.parametrize("bad", ["tpu", "gpu0"])
def test_an_unknown_device_is_refused_with_a_sentence(bad):
    with pytest.raises(ConfigError, match="Device must be"):
        pick_device(bad)


@pytest.mark.skipif(torch.cuda.is_available(), reason="only meaningful without a GPU")
def test_asking_for_cuda_without_a_gpu_says_how_to_fix_it():
    with pytest.raises(ConfigError, match="no CUDA GPU"):
        pick_device("cuda")


def test_generators_are_reproducible_and_streams_independent():
    a = torch.rand(5, generator=generator(7, 1))
    assert torch.equal(a, torch.rand(5, generator=generator(7, 1)))
    assert not torch.equal(a, torch.rand(5, generator=generator(7, 2)))
    assert not torch.equal(a, torch.rand(5, generator=generator(8, 1)))


def test_a_lesson_run_leaves_the_global_rng_alone():
    from poisoncourse.neurotron import experiment as nt

    state = torch.get_rng_state()
    nt.run(nt.NeurotronConfig.live(values=(0.5,), seeds=1, iterations=50))
    assert torch.equal(state, torch.get_rng_state())


def test_the_device_is_named_with_its_thread_count_in_words():
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert describe(torch.device("cpu")) == "CPU (1 thread)"  # the course's servers train on one
        torch.set_num_threads(2)
        assert describe(torch.device("cpu")) == "CPU (2 threads)"
    finally:
        torch.set_num_threads(threads)
