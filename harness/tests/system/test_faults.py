"""Delivery guarantees under faults, judged by the ledger: every QoS and fault scenario passes on
the good device and is failed by each misbehaviour it declares; the broker-persistence variant
shows the ledger sees a real loss."""
from conftest import DATA, SOURCE_DIR


def test_qos_and_fault_scenarios_kill_their_misbehaviours(hil):
    r = hil("selftest", "scenarios/qos", "scenarios/faults", "-j", "2", timeout=600)
    assert r.code == 0, r.stdout[-4000:] + r.stderr
    matrix = r.results["selftest"]
    assert matrix["reset-mid-burst-qos1"]["kills"]["lose-inflight"] == "killed"
    assert matrix["device-to-cloud-qos2"]["kills"]["qos2-twice"] == "killed"
    # The ledger's numbers are in the results, per step.
    scenario = next(s for s in r.results["scenarios"] if s["id"] == "reset-mid-burst-qos1")
    ledger = scenario["steps"][-1]["details"]
    assert ledger["unique_received"] == ledger["sent"] == 300 and ledger["lost"] == 0


def test_the_ledger_detects_loss_under_mosquittos_default_persistence(hil):
    r = hil("run", SOURCE_DIR / "scenarios/faults/broker-restart-qos1.yaml", "--bench", DATA / "lossy-broker.yaml")
    assert r.code == 1, r.stdout + r.stderr
    failure = r.results["scenarios"][0]["failure"]
    assert "acknowledged message(s) lost" in failure["observed"], failure
    assert failure["nearby"][0]["lost"] > 0
