"""`hil run` on the virtual bench: verdicts, exit codes, reports, diagnostics."""
import json
import xml.etree.ElementTree as ET

import yaml

from conftest import DATA, SOURCE_DIR


def test_smoke_suite_passes_and_reports(hil, tmp_path):
    junit = tmp_path / "extra" / "junit.xml"
    copy = tmp_path / "extra" / "results.json"
    r = hil("run", "scenarios/smoke", "--junit", junit, "--json", copy)
    assert r.code == 0, r.stdout + r.stderr
    results = r.results
    assert results["schema_version"] == 1
    assert results["summary"] == {"total": 2, "passed": 2, "failed": 0, "errored": 0, "skipped": 0}
    assert json.loads(copy.read_text()) == results
    suite = ET.parse(junit).getroot()
    assert suite.get("tests") == "2" and suite.get("failures") == "0"
    assert r.stdout.strip().splitlines()[-2].startswith("hil: 2 passed, 0 failed, 0 errors, 0 skipped")
    # Every scenario used its own run-derived names.
    runs = {s["run"] for s in results["scenarios"]}
    assert len(runs) == 2 and all(x.startswith(results["run_id"] + "-") for x in runs)


def test_expectations_are_met_within_20ms_of_their_event(hil):
    r = hil("run", "scenarios/smoke")
    assert r.code == 0, r.stdout
    latencies = [s["latency_ms"] for sc in r.results["scenarios"] for s in sc["steps"] if "latency_ms" in s]
    assert latencies, "no expectation waited for its event: nothing measured"
    assert max(latencies) < 20.0, latencies


def test_events_jsonl_has_one_event_per_line_from_every_source(hil):
    r = hil("run", "scenarios/smoke")
    assert r.code == 0
    events = r.events()
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    for e in events:
        assert set(e) >= {"seq", "time", "mono_ms", "source", "origin", "kind", "payload"}
    sources = {e["source"] for e in events}
    assert sources == {"device", "cloud", "broker", "harness"}
    kinds = {e["kind"] for e in events}
    assert {"sys.boot", "mqtt.connected", "mqtt.message", "cloud.message", "process.started"} <= kinds


def test_wrong_topic_fails_naming_expectation_arrived_topics_and_logs(hil):
    r = hil("run", DATA / "wrong-topic.yaml")
    assert r.code == 1, r.stdout + r.stderr
    out = r.stdout
    assert "FAIL" in out
    assert "wrong-topic.yaml:12" in out                      # where the expectation is written
    assert "expected a cloud message on 'hil/" in out and "/status'" in out
    assert "arrived, on: hil/" in out and "/telemetry" in out  # the topic that did arrive
    assert "console-dut: " in out and "broker: " in out and "events: " in out
    failure = r.results["scenarios"][0]["failure"]
    assert failure["where"].endswith("wrong-topic.yaml:12:5")
    assert failure["nearby"][0]["topic"].endswith("/telemetry")


def test_yaml_syntax_error_exits_2_with_file_and_line(hil):
    r = hil("run", DATA / "bad" / "yaml-error.yaml")
    assert r.code == 2
    assert "yaml-error.yaml:5:" in r.stderr or "yaml-error.yaml:4:" in r.stderr, r.stderr
    assert "YAML syntax error" in r.stderr


def test_unknown_step_exits_2_with_file_line_and_suggestion(hil):
    r = hil("run", DATA / "bad" / "unknown-step.yaml")
    assert r.code == 2
    assert "unknown-step.yaml:4:5: unknown step 'expect.devise' (did you mean 'expect.device'?)" in r.stderr, r.stderr


def test_all_file_errors_are_reported_before_anything_runs(hil):
    r = hil("run", DATA / "bad")
    assert r.code == 2
    assert "yaml-error.yaml" in r.stderr and "unknown-step.yaml" in r.stderr
    assert not (r.out_dir / "events.jsonl").exists()  # nothing started


def test_selection_matching_nothing_exits_2(hil):
    r = hil("run", DATA / "empty")
    assert r.code == 2
    assert "matched no scenario" in r.stderr


def test_missing_path_and_unknown_misbehaviour_exit_2(hil):
    assert hil("run", "scenarios/does-not-exist").code == 2
    r = hil("run", "scenarios/smoke", "--misbehave", "drop-publsh")
    assert r.code == 2 and "did you mean 'drop-publish'" in r.stderr


def smoke_scenarios():
    for path in sorted((SOURCE_DIR / "scenarios" / "smoke").glob("*.yaml")):
        yield path, yaml.safe_load(path.read_text()).get("kills", [])


def test_every_smoke_scenario_names_misbehaviours_it_kills():
    for path, kills in smoke_scenarios():
        assert kills, f"{path} declares no negative control"


def test_an_existing_run_directory_is_never_reused(hil, tmp_path):
    assert hil("run", "scenarios/smoke/cloud-to-device.yaml", out=tmp_path / "same").code == 0
    again = hil("run", "scenarios/smoke/cloud-to-device.yaml", out=tmp_path / "same")
    assert again.code == 2 and "exists and is not empty" in again.stderr


def test_list_validates_and_shows_tags_requirements(hil):
    r = hil("list", "scenarios/smoke", "--json")
    assert r.code == 0, r.stderr
    listed = [json.loads(line) for line in r.stdout.splitlines()]
    assert {s["id"] for s in listed} == {"cloud-to-device", "device-to-cloud-qos1"}
    assert all(s["requires"] and s["kills"] and s["tags"] for s in listed)
    assert hil("list", DATA / "bad").code == 2


def test_tag_expressions_filters_and_shards_select_deterministically(hil):
    ids = lambda *args: [line.split()[0] for line in hil("list", "scenarios/smoke", *args).stdout.splitlines()]
    assert ids("--tags", "qos1") == ["device-to-cloud-qos1"]
    assert ids("--tags", "smoke and not qos1") == ["cloud-to-device"]
    assert ids("--tags", "(mqtt or tls) and smoke") == ["cloud-to-device", "device-to-cloud-qos1"]
    assert ids("--filter", "cloud-*") == ["cloud-to-device"]
    assert ids("--filter", "*receives it") == ["cloud-to-device", "device-to-cloud-qos1"]
    shards = ids("--shard", "1/2") + ids("--shard", "2/2")
    assert sorted(shards) == ["cloud-to-device", "device-to-cloud-qos1"]
    assert ids("--shard", "1/2") == ids("--shard", "1/2")
    assert hil("list", "scenarios/smoke", "--tags", "nosuchtag").code == 2   # nothing selected
    assert hil("list", "scenarios/smoke", "--tags", "smoke and (").code == 2
    assert hil("list", "scenarios/smoke", "--shard", "3/2").code == 2


def test_parallel_repeated_executions_stay_isolated(hil):
    r = hil("run", "scenarios/smoke", "-j", "2", "--repeat", "3")
    assert r.code == 0, r.stdout + r.stderr
    scenarios = r.results["scenarios"]
    assert len(scenarios) == 6
    assert len({s["run"] for s in scenarios}) == 6          # every execution its own names
    assert {s["id"] for s in scenarios} >= {"cloud-to-device~3", "device-to-cloud-qos1~2"}
    # Every cloud message an execution saw was on its own topics.
    for e in r.events():
        if e["kind"] == "cloud.message":
            assert f"hil/{e['scenario']}/" in e["payload"]["topic"], e


def test_until_fail_stops_scheduling_after_a_failure(hil):
    r = hil("run", DATA / "wrong-topic.yaml", "--until-fail", "--repeat", "50")
    assert r.code == 1
    assert len(r.results["scenarios"]) == 1
