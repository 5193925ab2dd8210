"""hil-bench: the one benchmark runner and its JSON contract."""
import json
import os
import pathlib
import subprocess

from conftest import HIL_BIN

HIL_BENCH = pathlib.Path(os.environ.get("HIL_BENCH_BIN", HIL_BIN.parent / "hil-bench"))


def test_list_names_every_benchmark():
    out = subprocess.run([HIL_BENCH, "--list"], capture_output=True, text=True, timeout=60, check=True).stdout
    assert "console.framing" in out


def test_json_has_value_reference_and_ratio():
    out = subprocess.run([HIL_BENCH, "console.framing", "--json", "--quick"], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    result = json.loads(out)
    assert set(result) >= {"name", "value", "unit", "reference", "ratio"}
    assert result["name"] == "console.framing"
    assert result["value"] > 0 and result["reference"] > 0
    assert abs(result["ratio"] - result["value"] / result["reference"]) < 1e-9


def test_unknown_benchmark_exits_2():
    r = subprocess.run([HIL_BENCH, "nope"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--list" in r.stderr
