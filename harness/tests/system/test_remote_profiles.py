"""Profiles `external` and `aws`: a broker hil does not run, with credentials from files.

`external` runs against Debian's stock Mosquitto (no plugin, not started by hil), plain and over
mutual TLS with a `hil pki init` PKI: the suite's scenarios run or are SKIPPED for what the bench
file declares. Declaring `shadow` for a broker without a shadow service makes the shadow
scenarios FAIL (the declaration is what selects them; nothing passes by default).

`aws` is rehearsed offline on `hil broker up`'s aws-twin, through its `endpoint443` listener: the
AWS IoT Core rules of port 443 (SNI = the endpoint name, ALPN x-amzn-mqtt-ca) in front of the
twin's mutual-TLS listener, the device certificate holding fixtures/policies/aws-account-device
(the policy docs/cli.md tells AWS users to attach). Without ALPN the same bench fails: the
endpoint refuses both the devices and the cloud client at the ClientHello.
"""
import getpass
import json
import os
import re
import socket
import subprocess
import threading

import pytest

from conftest import HIL_BIN, SOURCE_DIR
from test_broker import broker_up  # noqa: F401  (the fixture that starts and stops `hil broker up`)

RUN_TIMEOUT_S = 600
START_TIMEOUT_S = 10


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StockMosquitto:
    """Debian's mosquitto with a config of ours: hil neither starts nor knows it."""

    def __init__(self, tmp_path, tls_dir=None):
        self.port = free_port()
        conf = tmp_path / "stock-mosquitto.conf"
        lines = [f"listener {self.port} 127.0.0.1", "log_dest stderr", "log_type all",
                 "persistence false", "max_queued_messages 0",
                 # As root Mosquitto would become `mosquitto`, who cannot read a 0700 PKI directory.
                 f"user {getpass.getuser()}"]
        if tls_dir is None:
            lines.append("allow_anonymous true")
        else:
            lines += [f"cafile {tls_dir / 'ca.crt'}", f"certfile {tls_dir / 'broker.crt'}",
                      f"keyfile {tls_dir / 'broker.key'}", "require_certificate true", "allow_anonymous true"]
        conf.write_text("\n".join(lines) + "\n")
        self.proc = subprocess.Popen(["mosquitto", "-c", str(conf)], stderr=subprocess.PIPE, text=True)
        # Drained by a thread: a full pipe would block the broker at its next log line.
        self.log = []
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        with self.cond:
            ok = self.cond.wait_for(lambda: any(" running" in line for line in self.log) or self.proc.poll() is not None,
                                    timeout=START_TIMEOUT_S)
        assert ok and self.proc.poll() is None, "mosquitto did not start:\n" + "".join(self.log)

    def _read(self):
        for line in self.proc.stderr:
            with self.cond:
                self.log.append(line)
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def stock_mosquitto(tmp_path):
    started = []

    def start(tls_dir=None):
        broker = StockMosquitto(tmp_path, tls_dir)
        started.append(broker)
        return broker

    yield start
    for broker in started:
        broker.stop()


def run(tmp_path, name, bench, *selection, jobs=2):
    out = tmp_path / name
    cmd = [str(HIL_BIN), "run", *selection, "-j", str(jobs), "--bench", str(bench), "--out", str(out)]
    proc = subprocess.run(cmd, cwd=SOURCE_DIR, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    results = json.loads((out / "results.json").read_text()) if (out / "results.json").exists() else None
    return proc, results


def verdicts(results):
    return {s["id"]: s["verdict"] for s in results["scenarios"]}


def test_external_plain_broker_runs_what_it_declares_and_skips_the_rest(tmp_path, stock_mosquitto):
    broker = stock_mosquitto()
    bench = tmp_path / "external.yaml"
    bench.write_text("name: stock\nbroker:\n  profile: external\n"
                     f"  url: mqtt://127.0.0.1:{broker.port}\n"
                     "  capabilities: [qos1, qos2, retained, persistent-session]\n")
    proc, results = run(tmp_path, "plain", bench, "scenarios/smoke", "scenarios/qos", "scenarios/shadow",
                        "scenarios/faults/reset-mid-burst-qos1.yaml", "scenarios/faults/broker-restart-qos1.yaml")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert results["profile"] == "external"
    v = verdicts(results)
    assert v["device-to-cloud-qos1"] == "PASS" and v["cloud-to-device-qos2"] == "PASS", v
    assert v["reset-mid-burst-qos1"] == "PASS", v  # link faults are the bench's own proxies: they work
    skipped = {s["id"]: s["reason"] for s in results["scenarios"] if s["verdict"] == "SKIP"}
    assert "shadow" in skipped["delta-applied-and-reported"], skipped
    assert "broker-control" in skipped["broker-restart-qos1"], skipped
    assert "aws-rules" in skipped["qos2-closes-the-connection-in-aws-twin"], skipped
    # The clients really were on the stock broker, under the run's names.
    log = "".join(broker.log)
    assert f"hil-{results['run_id']}-cloud" in log


def test_external_broker_over_mutual_tls_with_credentials_from_files(tmp_path, stock_mosquitto, hil):
    pki = tmp_path / "pki"
    assert hil("pki", "init", pki).code == 0
    broker = stock_mosquitto(tls_dir=pki)
    bench = tmp_path / "external-tls.yaml"
    bench.write_text("broker:\n  profile: external\n"
                     f"  url: mqtts://localhost:{broker.port}\n"
                     "  capabilities: [qos1]\n"
                     f"  ca: {pki / 'ca.crt'}\n"
                     f"  device_identity: {{cert: {pki / 'device.crt'}, key: {pki / 'device.key'}}}\n"
                     f"  application_identity: {{cert: {pki / 'cloud.crt'}, key: {pki / 'cloud.key'}}}\n")
    proc, results = run(tmp_path, "tls", bench, "scenarios/smoke")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert set(verdicts(results).values()) == {"PASS"}
    # The device named the broker (SNI/verification) while dialling its fault proxy.
    console = "".join(p.read_text() for p in (tmp_path / "tls").rglob("console-dut.log"))
    assert '"sni":"localhost"' in console, console[:2000]
    # Key material stays in its files: no run file carries the device key's base64.
    key_body = "".join(l for l in (pki / "device.key").read_text().splitlines() if "-----" not in l)
    for f in (tmp_path / "tls").rglob("*"):
        if f.is_file():
            assert key_body[10:50] not in f.read_text(errors="replace"), f


def test_declaring_a_capability_the_broker_lacks_makes_its_scenarios_fail(tmp_path, stock_mosquitto):
    broker = stock_mosquitto()
    bench = tmp_path / "overclaimed.yaml"
    bench.write_text("broker:\n  profile: external\n"
                     f"  url: mqtt://127.0.0.1:{broker.port}\n  capabilities: [qos1, shadow]\n")
    proc, results = run(tmp_path, "overclaimed", bench, "scenarios/shadow/application-sets-desired-state.yaml")
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert verdicts(results) == {"application-sets-desired-state": "FAIL"}


@pytest.mark.parametrize("broker_yaml, expected", [
    ("  profile: external\n  url: mqtt://127.0.0.1:1883\n  capabilities: [qos1, shadoww]\n",
     r":5:\d+: unknown capability 'shadoww' \(did you mean 'shadow'\?\)"),
    ("  profile: external\n  url: mqtt://127.0.0.1:1883\n  capabilities: [tls]\n",
     r":5:\d+: capability 'tls' cannot be declared: it means the run's test PKI"),
    ("  profile: external\n  url: http://x:1\n", r":4:\d+: url: 'http://x:1' \(expected mqtt://host:port"),
    ("  profile: aws\n  port: 443\n", r":3:\d+: profile aws: expected `endpoint`"),
    ("  profile: aws\n  endpoint: x-ats.iot.eu-west-1.amazonaws.com\n  ca: {pki}/ca.crt\n"
     "  device_identity: {{cert: {pki}/device.crt, key: {pki}/cloud.key}}\n"
     "  application_identity: {{cert: {pki}/cloud.crt, key: {pki}/cloud.key}}\n",
     r":6:\d+: device_identity: .*cloud.key: does not match the certificate in .*device.crt"),
    ("  profile: aws\n  endpoint: x\n  ca: {pki}/device.key\n"
     "  device_identity: {{cert: {pki}/device.crt, key: {pki}/device.key}}\n"
     "  application_identity: {{cert: {pki}/cloud.crt, key: {pki}/cloud.key}}\n",
     r":5:\d+: ca: .*device.key"),
])
def test_bad_remote_bench_files_name_the_line_and_what_was_expected(tmp_path, hil, broker_yaml, expected):
    pki = tmp_path / "pki"
    assert hil("pki", "init", pki).code == 0
    bench = tmp_path / "bad.yaml"
    bench.write_text("name: bad\nbroker:\n" + broker_yaml.format(pki=pki))
    r = hil("run", "scenarios/smoke", "--bench", bench)
    assert r.code == 2, r.stdout + r.stderr
    assert re.search(re.escape(str(bench)) + expected, r.stderr), r.stderr
    key_body = "".join(l for l in (pki / "cloud.key").read_text().splitlines() if "-----" not in l)
    assert key_body[10:50] not in r.stderr + r.stdout


def aws_bench(tmp_path, info, *, alpn=True):
    endpoint443 = info["endpoints"]["endpoint443"]  # ssl://localhost:PORT
    host, port = endpoint443.removeprefix("ssl://").rsplit(":", 1)
    bench = tmp_path / ("aws.yaml" if alpn else "aws-no-alpn.yaml")
    bench.write_text("name: aws-rehearsal\nbroker:\n  profile: aws\n"
                     f"  endpoint: {host}\n  port: {port}\n"
                     # Port 443 implies x-amzn-mqtt-ca; the rehearsal's port is ephemeral.
                     + (f"  alpn: x-amzn-mqtt-ca\n" if alpn else "")
                     + f"  ca: {info['ca']}\n"
                     f"  device_identity: {{cert: {info['device']['cert']}, key: {info['device']['key']}}}\n"
                     f"  application_identity: {{cert: {info['application']['cert']}, "
                     f"key: {info['application']['key']}}}\n")
    return bench


def test_aws_profile_rehearsed_on_the_twins_443_endpoint(tmp_path, broker_up):  # noqa: F811
    up_bench = tmp_path / "up.yaml"
    up_bench.write_text("broker:\n  device_policy: aws-account-device\n")
    _, info = broker_up("--profile", "aws-twin", "--bench", up_bench)
    bench = aws_bench(tmp_path, info)
    proc, results = run(tmp_path, "aws", bench, "scenarios/smoke", "scenarios/shadow", "scenarios/qos",
                        "scenarios/policy", "scenarios/tls/connect-ecdsa.yaml")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-3000:]
    assert results["profile"] == "aws"
    v = verdicts(results)
    assert v["delta-applied-and-reported"] == "PASS" and v["rejected-requests"] == "PASS", v
    assert v["qos2-closes-the-connection-in-aws-twin"] == "PASS", v  # AWS's rule, on the real endpoint path
    skipped = {s["id"]: s["reason"] for s in results["scenarios"] if s["verdict"] == "SKIP"}
    assert "policies" in skipped["own-shadow-only"] and "qos2" in skipped["device-to-cloud-qos2"], skipped
    assert any("tls" in reason for sid, reason in skipped.items() if sid.startswith("connect-ecdsa")), skipped
    # Every client went through the endpoint: the gate saw their ClientHellos and let them in.
    events = [json.loads(line) for line in (tmp_path / "cloud" / "events.jsonl").read_text().splitlines()]
    gate = [e for e in events if e.get("origin") == "endpoint443"]
    assert any(e["kind"] == "proxy.connected" for e in gate), gate[:5]
    assert not any(e["kind"] == "proxy.refused" for e in gate), [e for e in gate if e["kind"] == "proxy.refused"]


def test_aws_profile_without_alpn_is_refused_at_the_443_endpoint(tmp_path, broker_up):  # noqa: F811
    up_bench = tmp_path / "up.yaml"
    up_bench.write_text("broker:\n  device_policy: aws-account-device\n")
    _, info = broker_up("--profile", "aws-twin", "--bench", up_bench)
    proc, results = run(tmp_path, "aws-no-alpn", aws_bench(tmp_path, info, alpn=False),
                        "scenarios/smoke/device-to-cloud-qos1.yaml")
    assert proc.returncode == 3, proc.stdout[-3000:] + proc.stderr[-3000:]  # the cloud client cannot connect
    events = [json.loads(line) for line in (tmp_path / "cloud" / "events.jsonl").read_text().splitlines()]
    refused = [e for e in events if e.get("origin") == "endpoint443" and e["kind"] == "proxy.refused"]
    assert refused and "x-amzn-mqtt-ca" in refused[0]["payload"]["reason"], refused
