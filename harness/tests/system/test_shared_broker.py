"""Two `hil run` of the suite at once on one embedded broker: `hil broker up --profile mosquitto`
runs the broker, and both runs attach to it with a bench file (`broker: {attach: DIR}`). Both
pass; the broker's log shows both runs' clients; scenarios that need to kill or pause the broker
(not theirs) are skipped with the reason. Attaching to an aws-twin broker is refused clearly."""
import json
import subprocess

from conftest import HIL_BIN, SOURCE_DIR
from test_broker import broker_up  # noqa: F401  (the fixture that starts and stops `hil broker up`)

RUN_TIMEOUT_S = 600


def attach_bench(tmp_path, info):
    bench = tmp_path / "shared.yaml"
    bench.write_text(f"name: shared\nbroker:\n  attach: {info['dir']}\n")
    return bench


def test_two_runs_of_the_suite_at_once_on_one_broker(tmp_path, broker_up):  # noqa: F811
    _, info = broker_up("--profile", "mosquitto")
    bench = attach_bench(tmp_path, info)
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        cmd = [str(HIL_BIN), "run", "scenarios", "-j", "2", "--bench", str(bench), "--out", str(out)]
        runs.append((out, subprocess.Popen(cmd, cwd=SOURCE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                           text=True)))
    run_ids = []
    for out, proc in runs:
        output, _ = proc.communicate(timeout=RUN_TIMEOUT_S)
        assert proc.returncode == 0, output[-4000:]
        results = json.loads((out / "results.json").read_text())
        assert results["summary"]["passed"] > 20, results["summary"]
        assert results["summary"]["failed"] == results["summary"]["errored"] == 0
        skipped = [s for s in results["scenarios"] if s["verdict"] == "SKIP"]
        assert any("broker-control" in s["reason"] for s in skipped), [s["reason"] for s in skipped]
        run_ids.append(results["run_id"])
    log = (tmp_path / "cloud" / "broker" / "mosquitto.log").read_text()
    for run_id in run_ids:
        assert f"hil-{run_id}-cloud" in log, f"run {run_id} did not use the shared broker"


def test_attaching_to_an_aws_twin_broker_is_refused_with_the_reason(tmp_path, broker_up, hil):  # noqa: F811
    _, info = broker_up("--profile", "aws-twin")
    r = hil("run", "scenarios/smoke", "--bench", attach_bench(tmp_path, info))
    assert r.code == 3, r.stdout + r.stderr
    assert "--profile mosquitto" in r.stderr + r.stdout
