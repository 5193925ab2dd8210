"""System tests: the `hil` executable end to end on the virtual bench (real Mosquitto, real
virtual device on a pty, real Paho). Paths come from CTest's environment (HIL_BIN,
HIL_SOURCE_DIR); run by hand with those set, e.g.
    HIL_BIN=build/bin/hil HIL_SOURCE_DIR=. /usr/bin/python3 -m pytest harness/tests/system
"""
import json
import os
import pathlib
import subprocess

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("HIL_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[3]))
HIL_BIN = pathlib.Path(os.environ.get("HIL_BIN", SOURCE_DIR / "build" / "bin" / "hil"))
DATA = pathlib.Path(__file__).resolve().parent / "data"


class HilResult:
    def __init__(self, proc, out_dir):
        self.code = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.out_dir = out_dir

    @property
    def results(self):
        return json.loads((self.out_dir / "results.json").read_text())

    def events(self):
        return [json.loads(line) for line in (self.out_dir / "events.jsonl").read_text().splitlines()]


@pytest.fixture
def hil(tmp_path):
    """Runs `hil ARGS...` to completion (bounded); each call gets a fresh run directory under
    tmp_path unless `out` names one."""
    calls = []

    def run(*args, timeout=120, out=None):
        calls.append(args)
        out_dir = out or tmp_path / f"run-{len(calls)}"
        cmd = [str(HIL_BIN), *map(str, args)]
        if args and args[0] in ("run", "selftest"):
            cmd += ["--out", str(out_dir)]
        proc = subprocess.run(cmd, cwd=SOURCE_DIR, capture_output=True, text=True, timeout=timeout)
        return HilResult(proc, out_dir)

    return run
