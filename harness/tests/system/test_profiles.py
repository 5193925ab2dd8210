"""Broker profiles on the virtual bench: aws-twin by default, `--profile` and the bench file's
`broker.profile` for the run, `profile:` pinning one scenario to a second broker started for it;
capabilities, SKIP reasons and results.json follow the profile each execution ran on."""
import json

from conftest import DATA, SOURCE_DIR

QOS2 = "scenarios/qos/device-to-cloud-qos2.yaml"
SMOKE = "scenarios/smoke/device-to-cloud-qos1.yaml"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_pinned_scenario_gets_a_second_broker_of_its_profile(hil):
    r = hil("run", QOS2, SMOKE, "-j", "2")
    assert r.code == 0, r.stdout + r.stderr
    results = r.results
    assert results["profile"] == "aws-twin"
    profiles = {s["id"]: s["profile"] for s in results["scenarios"]}
    assert profiles == {"device-to-cloud-qos2": "mosquitto", "device-to-cloud-qos1": "aws-twin"}
    assert "plugin_opt_profile aws-twin" in (r.out_dir / "broker" / "mosquitto.conf").read_text()
    assert "plugin_opt_profile mosquitto" in (r.out_dir / "broker-mosquitto" / "mosquitto.conf").read_text()
    qos2 = next(s for s in results["scenarios"] if s["id"] == "device-to-cloud-qos2")
    assert qos2["logs"]["broker"].endswith("broker-mosquitto/mosquitto.log")
    # Both brokers were started by hil and stopped at the end.
    started = [e for e in r.events() if e["kind"] == "process.started" and e["origin"].startswith("mosquitto")]
    assert sorted(e["origin"] for e in started) == ["mosquitto", "mosquitto-mosquitto"]
    exited = {e["payload"]["pid"] for e in r.events() if e["kind"] == "process.exited"}
    assert {e["payload"]["pid"] for e in started} <= exited


def test_list_shows_the_pinned_profile(hil):
    r = hil("list", QOS2, SMOKE, "--json")
    assert r.code == 0, r.stderr
    assert [json.loads(line)["profile"] for line in r.stdout.splitlines()] == ["mosquitto", ""]
    assert "[profile: mosquitto]" in hil("list", QOS2).stdout


def test_each_aws_twin_execution_registers_its_things_and_removes_them(hil):
    r = hil("run", SMOKE)
    assert r.code == 0, r.stdout + r.stderr
    reloads = [e["payload"] for e in r.events() if e["kind"] == "broker.registry"]
    assert [p["things"] for p in reloads] == [1, 0]  # the dut's thing, then none
    assert all(p["reload_ms"] < 1000 for p in reloads), reloads
    registry = json.loads((r.out_dir / "broker" / "registry.json").read_text())
    assert registry["things"] == {}
    device = next(c for c in registry["certificates"] if c["comment"] == "device")
    assert device["policies"] == ["device"] and device["status"] == "ACTIVE"
    log = (r.out_dir / "broker" / "mosquitto.log").read_text()
    assert log.count("hil_aws_twin: registry and policies reloaded (registry sha256 ") >= 2


def test_qos2_without_a_pin_is_skipped_in_aws_twin_and_runs_in_mosquitto(hil, tmp_path):
    scenario = write(tmp_path, "needs-qos2.yaml", """name: needs qos2
requires: [qos2]
steps:
  - cloud.subscribe: "hil/${run}/x"
    qos: 2
""")
    r = hil("run", scenario)
    assert r.code == 0, r.stdout + r.stderr
    [skipped] = r.results["scenarios"]
    assert skipped["verdict"] == "SKIP"
    assert skipped["reason"] == "the bench lacks capability 'qos2' (broker profile aws-twin)"
    r = hil("run", scenario, "--profile", "mosquitto")
    assert r.code == 0, r.stdout + r.stderr
    assert r.results["profile"] == "mosquitto"
    assert r.results["scenarios"][0]["verdict"] == "PASS"
    assert not (r.out_dir / "broker" / "registry.json").exists()
    assert not (r.out_dir / "broker-mosquitto").exists()


def test_the_bench_file_chooses_the_run_profile(hil, tmp_path):
    bench = write(tmp_path, "bench.yaml", "name: plain-mqtt\nbroker:\n  profile: mosquitto\n")
    r = hil("run", SMOKE, "--bench", bench)
    assert r.code == 0, r.stdout + r.stderr
    assert r.results["profile"] == "mosquitto" and r.results["scenarios"][0]["profile"] == "mosquitto"
    r = hil("run", SMOKE, "--bench", bench, "--profile", "aws-twin")  # the command line wins
    assert r.results["profile"] == "aws-twin"


def test_the_cloud_client_subscribes_at_qos1_at_most_in_aws_twin(hil):
    r = hil("run", "scenarios/qos/device-to-cloud-qos1.yaml")  # its include subscribes at QoS 2
    assert r.code == 0, r.stdout + r.stderr
    [subscribed] = [e["payload"] for e in r.events() if e["kind"] == "cloud.subscribed"]
    assert subscribed == {"topic": subscribed["topic"], "qos": 1, "requested_qos": 2}


def test_a_qos2_publish_of_the_cloud_in_aws_twin_is_an_error_that_says_what_to_do(hil, tmp_path):
    scenario = write(tmp_path, "publish-qos2.yaml", """name: publishes at qos 2
steps:
  - cloud.publish: "hil/${run}/x"
    qos: 2
""")
    r = hil("run", scenario)
    assert r.code == 3, r.stdout + r.stderr
    assert "profile: mosquitto" in r.results["scenarios"][0]["reason"]


def test_bad_profiles_are_input_errors(hil, tmp_path):
    scenario = write(tmp_path, "bad.yaml", "name: b\nprofile: mosquito\nsteps:\n  - device: sys.info\n")
    r = hil("run", scenario)
    assert r.code == 2
    assert "bad.yaml:2:10: profile: unknown broker profile 'mosquito' (did you mean 'mosquitto'?)" in r.stderr
    bench = write(tmp_path, "bench.yaml", "broker:\n  profile: aws-iot\n")
    r = hil("run", SMOKE, "--bench", bench)
    assert r.code == 2 and "bench.yaml:2:12: profile: 'aws-iot' (known: aws-twin, mosquitto, aws, external)" in r.stderr
    # aws and external are brokers hil does not run: a bench file must say where and with what.
    bench = write(tmp_path, "bench.yaml", "broker:\n  profile: aws\n")
    r = hil("run", SMOKE, "--bench", bench)
    assert r.code == 2 and "bench.yaml:2:3: profile aws: expected `endpoint`" in r.stderr
    r = hil("run", SMOKE, "--profile", "aws")
    assert r.code == 2 and "--profile aws needs a bench file" in r.stderr
    pinned = write(tmp_path, "aws.yaml", "name: a\nprofile: aws\nsteps:\n  - device: sys.info\n")
    r = hil("run", pinned)
    assert r.code == 0
    assert r.results["scenarios"][0]["reason"] == "the bench cannot give it the broker profile 'aws' it pins"


def test_a_qos2_publish_closes_the_connection_in_aws_twin_and_not_in_mosquitto(hil, tmp_path):
    scenario = SOURCE_DIR / "scenarios/qos/qos2-closes-the-connection-in-aws-twin.yaml"
    passing = hil("run", scenario)
    assert passing.code == 0, passing.stdout + passing.stderr
    # Negative control: the same file against a broker without AWS's rule (QoS 2 allowed).
    lax = tmp_path / "qos2-in-mosquitto.yaml"
    lax.write_text(scenario.read_text().replace("profile: aws-twin", "profile: mosquitto")
                   .replace("requires: [mqtt, aws-rules]", "requires: [mqtt]"))
    failing = hil("run", lax)
    assert failing.code == 1, failing.stdout + failing.stderr
    failure = failing.results["scenarios"][0]["failure"]
    assert "mqtt.disconnected" in failure["expected"], failure
