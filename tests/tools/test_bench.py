import json
import subprocess
import sys

import pytest


def test_benchmark_prints_json_records_with_a_baseline():
    proc = subprocess.run([sys.executable, "-m", "poisoncourse", "bench", "--quick", "--json"], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    records = json.loads(proc.stdout)
    assert records
    for r in records:
        assert {"lesson", "case", "device", "seconds", "baseline_seconds", "speedup"} <= set(r)
        assert r["seconds"] > 0 and r["baseline_seconds"] > 0
        assert r["speedup"] == pytest.approx(r["baseline_seconds"] / r["seconds"], rel=0.05, abs=0.1)
