"""hil.Bench / Execution: the virtual device and the cloud client driven step by step."""
import json

import pytest

import hil


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    with hil.Bench(run_dir=tmp_path_factory.mktemp("bench")) as b:
        yield b


def test_device_publishes_and_the_cloud_receives_it(bench):
    with bench.execution() as ex:
        dut = ex.device("dut")
        topic = f"hil/{ex.run}/up"
        ex.subscribe(f"hil/{ex.run}/#", qos=1)
        assert dut.request("mqtt.connect", ex.connect_args())["ok"]
        assert dut.wait_event("mqtt.connected", timeout=10) is not None
        answer = dut.request("mqtt.publish", {"topic": topic, "payload": "from python", "qos": 1})
        assert answer["ok"] and "mid" in answer["body"]
        message = ex.wait_message(topic, {"payload": "from python"}, timeout=5)
        assert message is not None and message["payload"]["qos"] == 1
        assert ex.var("client_id") == ex.var("thing")
    assert bench.profile == "aws-twin" and "shadow" in bench.capabilities


def test_cloud_publishes_and_the_device_receives_it(bench):
    with bench.execution() as ex:
        dut = ex.device()
        dut.request("mqtt.connect", ex.connect_args())
        dut.wait_event("mqtt.connected", timeout=10)
        dut.request("mqtt.subscribe", {"topic": f"hil/{ex.run}/down", "qos": 1})
        assert dut.wait_event("mqtt.subscribed", {"granted_qos": 1}) is not None
        ex.publish(f"hil/{ex.run}/down", '{"color": "red"}', qos=1)
        got = dut.wait_event("mqtt.message", {"topic": f"hil/{ex.run}/down"}, timeout=5)
        assert json.loads(got["payload"]["payload"]) == {"color": "red"}


def test_a_wait_that_sees_nothing_returns_none_at_its_deadline(bench):
    with bench.execution() as ex:
        assert ex.device().wait_event("mqtt.connected", timeout=0.2) is None
        assert ex.wait_message("hil/nothing/here", timeout=0.1) is None


def test_misbehaviours_reach_the_device(bench):
    with bench.execution(misbehaviours=["drop-publish"]) as ex:
        dut = ex.device()
        ex.subscribe(f"hil/{ex.run}/#", qos=1)
        dut.request("mqtt.connect", ex.connect_args())
        dut.wait_event("mqtt.connected", timeout=10)
        assert dut.request("mqtt.publish", {"topic": f"hil/{ex.run}/up", "payload": "x", "qos": 1})["ok"]
        assert ex.wait_message(f"hil/{ex.run}/up", timeout=1) is None  # answered ok, never sent


def test_the_application_side_of_the_shadow_service(bench):
    with bench.execution() as ex:
        thing = ex.var("thing")
        missing = ex.shadow("get", thing)
        assert missing == {"accepted": False, "body": missing["body"]} and missing["body"]["code"] == 404
        updated = ex.shadow("update", thing, {"state": {"desired": {"color": "green"}}})
        assert updated["accepted"] and updated["body"]["version"] == 1
        got = ex.shadow("get", thing)
        assert got["body"]["state"]["desired"] == {"color": "green"}


def test_bad_input_is_a_clear_error(bench, tmp_path):
    with bench.execution() as ex:
        with pytest.raises(hil.InfraError, match="no device 'other'"):
            ex.device("other").request("sys.info")
        with pytest.raises(TypeError):
            ex.device().request("sys.info", {"x": object()})
        with pytest.raises(KeyError, match="no bench variable"):
            ex.var("nope")
    bad = tmp_path / "bench.yaml"
    bad.write_text("broker:\n  profile: aws\n")
    with pytest.raises(hil.ConfigError, match=r"bench.yaml:2:\d+: profile aws: expected `endpoint`"):
        hil.Bench(bad)
