"""No child process outlives `hil`: after SIGINT, SIGTERM and SIGKILL of hil, every process it
started (recorded in events.jsonl as process.started with its pid) is gone, also with two runs at
once. Waits are event-driven: hil's stdout is read as it prints each step (-v), and child exits
are awaited on pidfds (which report exit whether or not the process has been reaped)."""
import json
import os
import select
import signal
import subprocess
import time

import pytest

from conftest import DATA, HIL_BIN, SOURCE_DIR

DEADLINE_S = 20


def start_hanging_run(tmp_path, name):
    out_dir = tmp_path / name
    proc = subprocess.Popen(
        [str(HIL_BIN), "run", str(DATA / "hangs.yaml"), "--out", str(out_dir), "-v"],
        cwd=SOURCE_DIR, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    return proc, out_dir


def read_until(proc, needle, deadline):
    """Reads hil's stdout until it contains `needle` (select with a deadline, unbuffered reads:
    a buffered reader could hold the line while select waits on an empty pipe)."""
    seen = b""
    while needle.encode() not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"hil never printed {needle!r}; got {seen.decode(errors='replace')}")
        ready, _, _ = select.select([proc.stdout], [], [], left)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                pytest.fail(f"hil exited before printing {needle!r}; got {seen.decode(errors='replace')}")
            seen += chunk


def started_pids(out_dir):
    pids = {}
    for line in (out_dir / "events.jsonl").read_text().splitlines():
        event = json.loads(line)
        if event["kind"] == "process.started":
            pids[event["payload"]["pid"]] = event["origin"]
    return pids


def is_gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1].startswith("Z")  # a zombie has ended
    except (FileNotFoundError, ProcessLookupError):
        return True


def wait_all_gone(pids, deadline):
    """Waits on each pid's pidfd until it exits or the deadline passes; returns the survivors."""
    survivors = {}
    for pid, origin in pids.items():
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        finally:
            os.close(fd)
        if not is_gone(pid):
            survivors[pid] = origin
    return survivors


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["SIGINT", "SIGTERM", "SIGKILL"])
def test_no_child_outlives_hil(tmp_path, sig):
    proc, out_dir = start_hanging_run(tmp_path, "run")
    try:
        deadline = time.monotonic() + DEADLINE_S
        read_until(proc, "step 4 expect.cloud", deadline)  # broker, device and cloud client are up
        pids = started_pids(out_dir)
        origins = set(pids.values())
        assert "mosquitto" in origins and "vdev-dut" in origins, pids
        assert all(not is_gone(pid) for pid in pids), "children should be running before the signal"
        proc.send_signal(sig)
        code = proc.wait(timeout=DEADLINE_S)
        assert code in (128 + sig, -sig), code
        assert wait_all_gone(pids, time.monotonic() + DEADLINE_S) == {}
        if sig != signal.SIGKILL:
            # An orderly stop still writes its results, marked interrupted.
            results = json.loads((out_dir / "results.json").read_text())
            assert results["interrupted"] is True
            assert results["exit_code"] == 128 + sig
            [scenario] = results["scenarios"]  # the scenario cut short is recorded, not lost
            assert scenario["verdict"] == "ERROR" and scenario["reason"] == "interrupted"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_two_runs_at_once_keep_apart_and_leave_nothing(tmp_path):
    a, a_dir = start_hanging_run(tmp_path, "a")
    b, b_dir = start_hanging_run(tmp_path, "b")
    try:
        deadline = time.monotonic() + DEADLINE_S
        read_until(a, "step 4 expect.cloud", deadline)
        read_until(b, "step 4 expect.cloud", deadline)
        a_pids, b_pids = started_pids(a_dir), started_pids(b_dir)
        assert not set(a_pids) & set(b_pids)
        a.send_signal(signal.SIGKILL)
        a.wait(timeout=DEADLINE_S)
        assert wait_all_gone(a_pids, time.monotonic() + DEADLINE_S) == {}
        assert all(not is_gone(pid) for pid in b_pids), "killing one run must not touch the other"
        b.send_signal(signal.SIGTERM)
        assert b.wait(timeout=DEADLINE_S) == 128 + signal.SIGTERM
        assert wait_all_gone(b_pids, time.monotonic() + DEADLINE_S) == {}
    finally:
        for p in (a, b):
            if p.poll() is None:
                p.kill()
                p.wait()
