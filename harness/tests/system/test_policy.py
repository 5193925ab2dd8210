"""AWS IoT policies in the aws-twin profile (scenarios/policy): an unauthorized publish closes the
device's connection, and the thing-name policy keeps a device to its own shadow. Their negative
control: a broker whose device policy allows everything makes both scenarios FAIL at an
expectation; the mosquitto profile has no policies, so they are SKIPPED there."""
from conftest import DATA

POLICY = "scenarios/policy"


def test_policy_scenarios_pass_and_the_broker_says_why_it_closed(hil):
    r = hil("run", POLICY)
    assert r.code == 0, r.stdout + r.stderr
    assert {s["id"]: s["verdict"] for s in r.results["scenarios"]} == {
        "forbidden-topic-disconnects": "PASS", "own-shadow-only": "PASS"}
    assert all(s["profile"] == "aws-twin" for s in r.results["scenarios"])
    log = (r.out_dir / "broker" / "mosquitto.log").read_text()
    runs = {s["id"]: s["run"] for s in r.results["scenarios"]}
    forbidden = runs["forbidden-topic-disconnects"]
    assert (f"closing connection of 'hil-{forbidden}-dut': unauthorized: iot:Publish on "
            f"arn:aws:iot:us-east-1:123456789012:topic/elsewhere/{forbidden}/x: implicit deny") in log
    shadow = runs["own-shadow-only"]
    assert (f"closing connection of 'hil-{shadow}-dut': unauthorized: iot:Publish on "
            f"arn:aws:iot:us-east-1:123456789012:topic/$aws/things/hil-{shadow}-peer/shadow/update") in log


def test_a_permissive_device_policy_makes_both_fail_at_an_expectation(hil):
    r = hil("run", POLICY, "--bench", DATA / "permissive-broker.yaml")
    assert r.code == 1, r.stdout + r.stderr
    for scenario in r.results["scenarios"]:
        assert scenario["verdict"] == "FAIL", scenario["reason"]
        failed = scenario["steps"][scenario["failure"]["step"] - 1]
        assert failed["keyword"] == "expect.device" and failed["target"] == "mqtt.disconnected", failed
    # The broker really ran with that policy on the device certificate.
    registry = (r.out_dir / "broker" / "policies" / "application.json").read_text()
    assert "TheApplicationMayDoAnything" in registry
    conf = (r.out_dir / "broker" / "mosquitto.conf").read_text()
    assert "plugin_opt_profile aws-twin" in conf


def test_the_mosquitto_profile_has_no_policies_to_test(hil):
    r = hil("run", POLICY, "--profile", "mosquitto")
    assert r.code == 0, r.stdout + r.stderr
    for scenario in r.results["scenarios"]:
        assert scenario["verdict"] == "SKIP"
        assert scenario["reason"] == "the bench lacks capability 'policies' (broker profile mosquitto)"
