"""AWS never loses a shadow: scenarios/shadow/survives-broker-kill.yaml passes on the twin's
durable store and FAILs on a broker that keeps shadows in memory only (its negative control)."""
from conftest import DATA, SOURCE_DIR

SCENARIO = SOURCE_DIR / "scenarios" / "shadow" / "survives-broker-kill.yaml"


def test_a_shadow_survives_a_broker_kill_on_the_durable_store(hil):
    r = hil("run", SCENARIO)
    assert r.code == 0, r.stdout + r.stderr
    conf = (r.out_dir / "broker" / "mosquitto.conf").read_text()
    assert "plugin_opt_store_dir" in conf


def test_a_broker_that_keeps_shadows_in_memory_makes_it_fail(hil):
    r = hil("run", SCENARIO, "--bench", DATA / "forgetful-shadows-broker.yaml")
    assert r.code == 1, r.stdout + r.stderr
    conf = (r.out_dir / "broker" / "mosquitto.conf").read_text()
    assert "plugin_opt_store_dir" not in conf
    [result] = r.results["scenarios"]
    assert result["verdict"] == "FAIL"
    assert "shadow.accepted" in result["failure"]["expected"], result["failure"]
