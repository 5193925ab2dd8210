"""hil selftest: every scenario passes on the good device and fails, at an expectation, on each
misbehaviour it declares."""
from conftest import DATA


def test_smoke_scenarios_kill_every_declared_misbehaviour(hil):
    r = hil("selftest", "scenarios/smoke", "scenarios/shadow", "scenarios/tls", "scenarios/device", "-j", "2",
            timeout=600)
    assert r.code == 0, r.stdout + r.stderr
    matrix = r.results["selftest"]
    assert matrix["device-to-cloud-qos1"]["good"] == "PASS"
    assert matrix["device-to-cloud-qos1"]["kills"]["wrong-topic"] == "killed"
    assert matrix["delta-applied-and-reported"]["kills"]["stale-report"] == "killed"
    assert matrix["broker-wrong-host-refused[tls=1.2]"]["kills"]["skip-hostname-check"] == "killed"
    assert matrix["broker-expired-refused[tls=1.3]"]["kills"]["skip-server-verify"] == "killed"
    assert matrix["unsubscribe-stops-delivery"]["kills"]["ignore-unsubscribe"] == "killed"
    assert matrix["time-judges-certificates"]["kills"]["ignore-time"] == "killed"
    assert all(outcome == "killed" for entry in matrix.values() for outcome in entry["kills"].values())
    assert "kill matrix" in r.stdout


def test_a_surviving_misbehaviour_fails_selftest(hil):
    r = hil("selftest", DATA / "weak.yaml")
    assert r.code == 1, r.stdout + r.stderr
    assert r.results["selftest"]["weak"]["kills"]["corrupt-payload"] == "survived"
    assert "corrupt-payload -> survived" in r.stdout
