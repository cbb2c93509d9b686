# Test-only: a server that keeps every Lesson 3 result alive, with LEAK_MB of tensor each.
import importlib.abc
import importlib.machinery
import os
import sys

TARGET = "poisoncourse.neurotron.experiment"
KEPT = []


class _Wrap(importlib.abc.Loader):
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        import torch
        run = module.run

        def leaking(*args, **kwargs):
            result = run(*args, **kwargs)
            # LEAK_MB of tensor beside each result; LEAK_MB=0 keeps the results alone.
            KEPT.append((result, torch.ones(int(float(os.environ["LEAK_MB"]) * 2**18))))
            return result

        module.run = leaking


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        spec.loader = _Wrap(spec.loader)
        return spec


if os.environ.get("LEAK_MB") is not None:
    sys.meta_path.insert(0, _Finder())
