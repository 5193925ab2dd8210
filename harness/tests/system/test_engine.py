"""The scenario language on the virtual bench: matrix cases, captures, operators, absence, serial
lines — each also shown to fail when what it checks is not there."""
from conftest import DATA


def test_engine_features_pass_for_every_matrix_case(hil):
    r = hil("run", DATA / "engine.yaml")
    assert r.code == 0, r.stdout + r.stderr
    ids = [s["id"] for s in r.results["scenarios"]]
    assert ids == ["engine[qos=0]", "engine[qos=1]"]
    names = [s["name"] for s in r.results["scenarios"]]
    assert names == ["engine features [qos=0]", "engine features [qos=1]"]
    # The device really published at the case's QoS.
    published = [e["payload"]["args"]["qos"] for e in r.events()
                 if e["kind"] == "console.request" and e["payload"]["command"] == "mqtt.publish"]
    assert sorted(published) == [0, 1]


def test_a_corrupted_payload_fails_the_operator_match(hil):
    r = hil("run", DATA / "engine.yaml", "--misbehave", "corrupt-payload")
    assert r.code == 1
    for scenario in r.results["scenarios"]:
        assert scenario["verdict"] == "FAIL"
        assert scenario["failure"]["step"] == 6  # the expect.cloud with the JSON match


def test_absence_fails_when_the_thing_arrives(hil, tmp_path):
    scenario = tmp_path / "absent.yaml"
    scenario.write_text("""name: absence violated
steps:
  - cloud.subscribe: "hil/${run}/#"
  - device: mqtt.connect
  - expect.device: mqtt.connected
    within: 10s
  - device: mqtt.publish
    args: {topic: "hil/${run}/other", payload: x}
  - expect.absent: {topic: "hil/${run}/other", for: 2s}
""")
    r = hil("run", scenario)
    assert r.code == 1, r.stdout
    failure = r.results["scenarios"][0]["failure"]
    assert failure["step"] == 5 and "cloud.message arrived" in failure["observed"]
    # It failed when the message came, not at the end of the 2 s.
    step = r.results["scenarios"][0]["steps"][4]
    assert step["duration_ms"] < 1500, step


def test_two_devices_with_shared_setup(hil):
    r = hil("run", DATA / "two-devices.yaml")
    assert r.code == 0, r.stdout + r.stderr
    scenario = r.results["scenarios"][0]
    assert {"console-dut", "console-peer"} <= set(scenario["logs"])
    connects = [e for e in r.events() if e["kind"] == "console.request" and e["payload"]["command"] == "mqtt.connect"]
    ids = {e["origin"]: e["payload"]["args"]["client_id"] for e in connects}
    assert ids["peer"] == "peer-" + scenario["run"]
    assert ids["dut"] == "hil-" + scenario["run"] + "-dut"
    # The include's steps ran first, from their own file.
    assert scenario["steps"][0]["keyword"] == "cloud.subscribe"


def test_the_receiving_device_is_checked_not_just_the_broker(hil):
    r = hil("run", DATA / "two-devices.yaml", "--misbehave", "ignore-messages")
    assert r.code == 1
    assert "peer" in r.results["scenarios"][0]["failure"]["expected"]


def test_undeclared_handles_and_bad_includes_are_file_errors(hil, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: b\ninclude: [missing.inc.yaml, plain.yaml]\nsteps:\n  - device: sys.info\n    as: peer\n")
    r = hil("run", bad)
    assert r.code == 2
    assert "bad.yaml:2:" in r.stderr and "cannot read" in r.stderr
    assert "must be a shared-setup file" in r.stderr
    assert "bad.yaml:5:9: as: no device 'peer'" in r.stderr, r.stderr


def test_include_files_are_not_scenarios(hil):
    r = hil("list", DATA / "shared")
    assert r.code == 2 and "matched no scenario" in r.stderr
