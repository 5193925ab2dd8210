"""`hil broker up`: the embedded cloud for a client that is not hil. Debian's paho-mqtt (1.6 API)
talks to it over mutual TLS with the application identity `--json` announces: classic and named
shadows are updated, read and deleted with AWS-shaped answers; in aws-twin a QoS 2 publish closes
the connection (in mosquitto it is delivered); SIGTERM stops it with exit code 0 and no Mosquitto
left behind. Every wait has a deadline; nothing sleeps."""
import json
import os
import select
import signal
import ssl
import subprocess
import threading
import time
import urllib.parse
import uuid

import paho.mqtt.client as mqtt
import pytest

from conftest import HIL_BIN, SOURCE_DIR

DEADLINE_S = 20
WAIT_S = 5


def read_first_line(proc, deadline):
    """hil's first stdout line, read unbuffered with select (a buffered reader could hold it)."""
    seen = b""
    while b"\n" not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"hil broker up printed no line in time; got {seen!r}")
        ready, _, _ = select.select([proc.stdout], [], [], left)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                pytest.fail(f"hil broker up exited ({proc.wait()}) before its first line: "
                            f"{proc.stderr.read().decode(errors='replace')}")
            seen += chunk
    return seen.split(b"\n", 1)[0].decode()


def start_broker(tmp_path, *args):
    proc = subprocess.Popen([str(HIL_BIN), "broker", "up", "--json", "--dir", str(tmp_path / "cloud"), *args],
                            cwd=SOURCE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    return proc, json.loads(read_first_line(proc, time.monotonic() + DEADLINE_S))


@pytest.fixture
def broker_up(tmp_path):
    started = []

    def start(*args):
        proc, info = start_broker(tmp_path, *args)
        started.append(proc)
        return proc, info

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


class Client:
    """A paho-mqtt 1.6 client over mutual TLS whose received messages and disconnects are kept
    for waits with a deadline."""

    def __init__(self, info, client_id):
        url = urllib.parse.urlparse(info["endpoints"]["tls"])
        self.cond = threading.Condition()
        self.messages = []
        self.subacks = {}
        self.connack = None
        self.disconnect_rc = None
        self.mqtt = mqtt.Client(client_id=client_id, clean_session=True, protocol=mqtt.MQTTv311)
        self.mqtt.tls_set(ca_certs=info["ca"], certfile=info["application"]["cert"],
                          keyfile=info["application"]["key"], cert_reqs=ssl.CERT_REQUIRED,
                          tls_version=ssl.PROTOCOL_TLS_CLIENT)
        self.mqtt.on_connect = self._on_connect
        self.mqtt.on_message = self._on_message
        self.mqtt.on_subscribe = self._on_subscribe
        self.mqtt.on_disconnect = self._on_disconnect
        self.mqtt.connect(url.hostname, url.port, keepalive=30)
        self.mqtt.loop_start()
        assert self.wait(lambda: self.connack is not None), "no CONNACK"
        assert self.connack == 0, f"CONNACK {self.connack}"

    def _notify(self, change):
        with self.cond:
            change()
            self.cond.notify_all()

    def _on_connect(self, client, userdata, flags, rc):
        self._notify(lambda: setattr(self, "connack", rc))

    def _on_message(self, client, userdata, msg):
        self._notify(lambda: self.messages.append((msg.topic, msg.payload, msg.qos)))

    def _on_subscribe(self, client, userdata, mid, granted_qos):
        self._notify(lambda: self.subacks.__setitem__(mid, granted_qos))

    def _on_disconnect(self, client, userdata, rc):
        self._notify(lambda: setattr(self, "disconnect_rc", rc))

    def wait(self, predicate, timeout=WAIT_S):
        with self.cond:
            return self.cond.wait_for(predicate, timeout)

    def subscribe(self, topic_filter, qos=1):
        _, mid = self.mqtt.subscribe(topic_filter, qos)
        assert self.wait(lambda: mid in self.subacks), f"no SUBACK for {topic_filter}"
        assert self.subacks[mid] == (qos,), self.subacks[mid]

    def request(self, topic, body, answer_topic):
        """Publishes a shadow request (QoS 1) and returns the JSON of the first answer on
        `answer_topic` that came after it; `self.since` marks where the request's answers begin."""
        with self.cond:
            self.since = len(self.messages)
        self.mqtt.publish(topic, "" if body is None else json.dumps(body), qos=1)
        return self.answer(answer_topic)

    def answer(self, answer_topic):
        """The JSON of the first message on `answer_topic` since the last request."""
        found = []

        def arrived():
            found[:] = [m for m in self.messages[self.since:] if m[0] == answer_topic]
            return bool(found)

        assert self.wait(arrived), f"nothing on {answer_topic}; got {[m[0] for m in self.messages[self.since:]]}"
        return json.loads(found[0][1])

    def close(self):
        self.mqtt.disconnect()
        self.mqtt.loop_stop()


def recent(timestamp):
    return isinstance(timestamp, int) and abs(timestamp - time.time()) < 60


def exercise_shadow(client, thing, prefix, missing_name):
    """Update, get, delete and get again one shadow (classic or named) under `prefix`."""
    client.subscribe(prefix + "/#")
    desired = {"color": "red", "brightness": 80}
    accepted = client.request(prefix + "/update",
                              {"state": {"desired": desired, "reported": {"color": "white"}}, "clientToken": "u-1"},
                              prefix + "/update/accepted")
    assert accepted["state"] == {"desired": desired, "reported": {"color": "white"}}
    assert recent(accepted["metadata"]["desired"]["color"]["timestamp"])
    assert recent(accepted["metadata"]["reported"]["color"]["timestamp"])
    assert accepted["version"] == 1 and recent(accepted["timestamp"]) and accepted["clientToken"] == "u-1"
    delta = client.answer(prefix + "/update/delta")
    assert delta["state"] == {"color": "red", "brightness": 80} and delta["version"] == 1
    assert recent(delta["timestamp"]) and recent(delta["metadata"]["color"]["timestamp"])

    got = client.request(prefix + "/get", {"clientToken": "g-1"}, prefix + "/get/accepted")
    assert got["state"]["desired"] == desired and got["state"]["reported"] == {"color": "white"}
    assert got["state"]["delta"] == {"color": "red", "brightness": 80}
    assert recent(got["metadata"]["desired"]["brightness"]["timestamp"])
    assert got["version"] == 1 and recent(got["timestamp"]) and got["clientToken"] == "g-1"

    deleted = client.request(prefix + "/delete", {"clientToken": "d-1"}, prefix + "/delete/accepted")
    assert set(deleted) == {"version", "timestamp", "clientToken"}, deleted
    assert deleted["version"] == 1 and recent(deleted["timestamp"]) and deleted["clientToken"] == "d-1"

    # The raw body AWS sends for a missing shadow (reference A.10): code and message, nothing else.
    missing = client.request(prefix + "/get", None, prefix + "/get/rejected")
    assert missing == {"code": 404, "message": f"No shadow exists with name: '{missing_name}'"}, missing


def mosquitto_processes_for(directory):
    """Pids of processes whose command line names a file under `directory` (its mosquitto.conf)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if str(directory).encode() in f.read():
                    pids.append(int(entry))
        except OSError:
            continue
    return pids


def stop_cleanly(proc, info):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=DEADLINE_S) == 0, proc.stderr.read().decode(errors="replace")
    assert not os.path.exists(f"/proc/{info['pid']}"), "mosquitto outlived hil broker up"
    assert mosquitto_processes_for(info["dir"]) == []


def test_a_paho_client_uses_classic_and_named_shadows_and_qos2_closes(broker_up):
    proc, info = broker_up()
    assert info["profile"] == "aws-twin"
    assert info["endpoints"]["tls"].startswith("ssl://localhost:") and info["endpoints"]["plain"].startswith("tcp://")
    assert info["application"]["policy"] == "application"
    for path in (info["ca"], info["application"]["cert"], info["application"]["key"], info["registry"]):
        assert os.path.isfile(path), path
    thing = "bench-lamp-" + uuid.uuid4().hex[:8]
    app = Client(info, "app-" + thing)
    exercise_shadow(app, thing, f"$aws/things/{thing}/shadow", thing)
    exercise_shadow(app, thing, f"$aws/things/{thing}/shadow/name/config", f"{thing}~config")
    app.close()

    # AWS IoT Core has no QoS 2: the connection is closed, with no PUBREC.
    q2 = Client(info, "qos2-" + thing)
    q2.mqtt.publish(f"hil/{thing}/q2", "exactly once?", qos=2)
    assert q2.wait(lambda: q2.disconnect_rc is not None), "the QoS 2 publish did not close the connection"
    assert q2.disconnect_rc != 0  # not a disconnect we asked for
    q2.mqtt.loop_stop()
    log = open(info["log"]).read()
    assert f"closing connection of 'qos2-{thing}': QoS 2 PUBLISH" in log

    stop_cleanly(proc, info)


def test_the_mosquitto_profile_delivers_qos2_and_stops_cleanly(broker_up):
    proc, info = broker_up("--profile", "mosquitto")
    assert info["profile"] == "mosquitto" and "registry" not in info
    client = Client(info, "q2-" + uuid.uuid4().hex[:8])
    client.subscribe("hil/bench/q2", qos=2)
    client.mqtt.publish("hil/bench/q2", "exactly once", qos=2)
    assert client.wait(lambda: any(m[0] == "hil/bench/q2" for m in client.messages))
    assert [m[2] for m in client.messages if m[0] == "hil/bench/q2"] == [2]
    assert client.disconnect_rc is None
    client.close()
    stop_cleanly(proc, info)


def test_the_first_line_names_key_files_never_their_content(broker_up):
    proc, info = broker_up()
    line = json.dumps(info)
    assert "PRIVATE KEY" not in line and "CERTIFICATE-----" not in line
    assert oct(os.stat(info["application"]["key"]).st_mode & 0o777) == "0o600"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=DEADLINE_S) == 0
    assert "PRIVATE KEY" not in proc.stdout.read().decode(errors="replace")


def test_a_directory_in_use_is_a_usage_error(tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("taken")
    r = subprocess.run([str(HIL_BIN), "broker", "up", "--dir", str(tmp_path / "busy")], cwd=SOURCE_DIR,
                       capture_output=True, text=True, timeout=DEADLINE_S)
    assert r.returncode == 2 and "exists and is not empty" in r.stderr
