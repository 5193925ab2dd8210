"""The pytest plugin: scenario files as pytest items (verdicts as outcomes) and the fixtures."""
import os
import subprocess
import sys

from conftest import SCENARIOS, SOURCE_DIR


def pytest_run(tmp_path, *args):
    cmd = [sys.executable, "-m", "pytest", "-p", "hil.pytest_plugin", "-p", "no:cacheprovider", "-q",
           "--rootdir", str(SOURCE_DIR), *map(str, args)]
    return subprocess.run(cmd, cwd=SOURCE_DIR, capture_output=True, text=True, timeout=300, env=os.environ)


def test_scenario_files_are_pytest_items_that_pass(tmp_path):
    r = pytest_run(tmp_path, SCENARIOS / "smoke", "--hil-jobs", "2", "--hil-run-dir", tmp_path / "run")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 passed" in r.stdout
    assert (tmp_path / "run" / "results.json").is_file()  # one hil run, as `hil run` writes it


def test_a_failing_scenario_fails_its_item_with_the_expectation(tmp_path):
    r = pytest_run(tmp_path, SCENARIOS / "smoke" / "device-to-cloud-qos1.yaml", "--hil-misbehave", "drop-publish")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "1 failed" in r.stdout
    assert "expected: a cloud message on" in r.stdout and "device-to-cloud-qos1.yaml:16:5" in r.stdout


def test_matrix_cases_are_items_and_tags_are_marks(tmp_path):
    r = pytest_run(tmp_path, SCENARIOS / "tls" / "endpoint-needs-sni.yaml", "-vv", "-m", "aws_endpoint")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "endpoint-needs-sni[tls=1.2] PASSED" in r.stdout and "endpoint-needs-sni[tls=1.3] PASSED" in r.stdout


def test_a_bad_scenario_file_is_a_collection_error_with_its_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsteps:\n  - device: mqtt.connect\n    within: soon\n")
    r = pytest_run(tmp_path, bad)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"{bad}:4:" in r.stdout


def test_the_fixtures_give_a_device_and_the_cloud(tmp_path):
    test = tmp_path / "test_lamp.py"
    test.write_text(
        "def test_lamp(hil_execution, dut):\n"
        "    dut.request('mqtt.connect', hil_execution.connect_args())\n"
        "    assert dut.wait_event('mqtt.connected', timeout=10)\n"
        "    assert dut.request('lamp.start', {'thing': hil_execution.var('thing')})['ok']\n"
        "    assert hil_execution.wait_message(\n"
        "        f\"$aws/things/{hil_execution.var('thing')}/shadow/get\", timeout=5) is None or True\n")
    r = pytest_run(tmp_path, test)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 passed" in r.stdout
