"""hil.run / hil.list_scenarios: the same runs as `hil run`, as Python objects."""
import json
import os
import re
import signal
import subprocess
import sys

import pytest

import hil
from conftest import SCENARIOS, SOURCE_DIR


def test_a_run_passes_and_writes_the_run_directory_hil_run_writes(tmp_path):
    seen = []
    run = hil.run([SCENARIOS / "smoke"], jobs=2, out_dir=tmp_path / "run", on_result=seen.append)
    assert run.ok, run.summary()
    assert {r.id for r in run.results} == {"cloud-to-device", "device-to-cloud-qos1"}
    assert {r.verdict for r in run.results} == {"PASS"}
    assert sorted(r.id for r in seen) == sorted(r.id for r in run.results)  # reported as they finished
    on_disk = json.loads((tmp_path / "run" / "results.json").read_text())
    assert on_disk == run.json
    assert (tmp_path / "run" / "junit.xml").is_file() and (tmp_path / "run" / "events.jsonl").is_file()


def test_a_misbehaving_device_fails_with_what_was_expected_and_where(tmp_path):
    run = hil.run([SCENARIOS / "smoke" / "device-to-cloud-qos1.yaml"], misbehaviours=["drop-publish"],
                  out_dir=tmp_path / "run")
    assert run.exit_code == 1
    [result] = run.results
    assert result.verdict == "FAIL"
    assert result.failure["where"].endswith("device-to-cloud-qos1.yaml:16:5")
    assert "expect.cloud" in result.describe() and "console-dut" in result.describe()


def test_capabilities_the_bench_lacks_skip_with_the_reason(tmp_path):
    run = hil.run([SCENARIOS / "qos" / "device-to-cloud-qos2.yaml"], profile="aws-twin", out_dir=tmp_path / "run")
    assert run.ok
    [result] = run.results
    assert result.verdict in ("PASS", "SKIP")  # pinned to mosquitto: the bench starts that broker
    assert result.raw["profile"] == "mosquitto"


def test_bad_scenario_files_raise_config_error_with_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsteps:\n  - device: mqtt.connect\n  - expect.devise: mqtt.connected\n")
    with pytest.raises(hil.ConfigError) as e:
        hil.run([bad], out_dir=tmp_path / "run")
    assert f"{bad}:4:" in str(e.value)
    assert not (tmp_path / "run").exists()  # nothing started


def test_bad_arguments_raise_usage_error(tmp_path):
    with pytest.raises(hil.UsageError, match="did you mean 'drop-publish'"):
        hil.run([SCENARIOS / "smoke"], misbehaviours=["drop-publsh"])
    with pytest.raises(hil.UsageError, match="matched no scenario"):
        hil.run([SCENARIOS / "smoke"], tags="no-such-tag")
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("earlier run")
    with pytest.raises(hil.UsageError, match="exists and is not empty"):
        hil.run([SCENARIOS / "smoke"], out_dir=tmp_path / "used")


def test_list_scenarios_plans_like_hil_list():
    planned = hil.list_scenarios([SCENARIOS / "tls"], filter="endpoint*")
    assert [p["id"] for p in planned] == ["endpoint-needs-sni[tls=1.2]", "endpoint-needs-sni[tls=1.3]",
                                          "endpoint443-needs-alpn[tls=1.2]", "endpoint443-needs-alpn[tls=1.3]"]
    assert planned[0]["kills"] == ["no-sni"]


def test_names_come_from_the_registry():
    assert "drop-publish" in hil.misbehaviours() and "no-alpn" in hil.misbehaviours()
    assert "aws-endpoint" in hil.capabilities()
    project = re.search(r"project\(hil VERSION (\S+)", (SOURCE_DIR / "CMakeLists.txt").read_text())
    assert hil.__version__ == project.group(1)


INTERRUPTED_SCRIPT = """
import signal, sys
import hil
signal.signal(signal.SIGINT, signal.default_int_handler)  # a child of pytest may start with it ignored
def on_result(result):
    print("finished", result.id, flush=True)
try:
    hil.run(sys.argv[2:], out_dir=sys.argv[1], on_result=on_result)
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
    sys.exit(130)
"""


def test_ctrl_c_cancels_the_run_writes_its_files_and_raises_keyboard_interrupt(tmp_path):
    out = tmp_path / "run"
    hangs = SOURCE_DIR / "harness" / "tests" / "system" / "data" / "hangs.yaml"
    proc = subprocess.Popen([sys.executable, "-c", INTERRUPTED_SCRIPT, str(out),
                             str(SCENARIOS / "smoke" / "cloud-to-device.yaml"), str(hangs)],
                            stdout=subprocess.PIPE, text=True, env=os.environ)
    try:
        # The first scenario's result means the bench is up; the second one now waits forever.
        assert proc.stdout.readline().startswith("finished cloud-to-device"), "the first scenario did not finish"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
        assert "KeyboardInterrupt" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    results = json.loads((out / "results.json").read_text())
    assert results["interrupted"] is True
    assert [s["verdict"] for s in results["scenarios"]] == ["PASS", "ERROR"]
    started = [json.loads(line)["payload"]["pid"] for line in (out / "events.jsonl").read_text().splitlines()
               if '"process.started"' in line]
    assert started and not [pid for pid in started if os.path.exists(f"/proc/{pid}")
                            and open(f"/proc/{pid}/stat").read().split(") ")[1][0] != "Z"]
