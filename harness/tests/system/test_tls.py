"""Mutual TLS end to end on the virtual bench: the smoke suite over mTLS, the TLS suite (every
refusal with its class and no broker session, the TLS versions really negotiated), the negative
controls of the broker's refusals, and no private key material anywhere in a run directory."""
import base64
import pathlib
import re

import pytest

from conftest import DATA, SOURCE_DIR

TLS = SOURCE_DIR / "scenarios" / "tls"


def test_smoke_passes_over_mutual_tls(hil):
    r = hil("run", "scenarios/smoke")
    assert r.code == 0, r.stdout + r.stderr
    conf = (r.out_dir / "broker" / "mosquitto.conf").read_text()
    assert "require_certificate true" in conf
    requests = [e for e in r.events() if e["kind"] == "console.request" and e["payload"]["command"] == "mqtt.connect"]
    assert requests and all(e["payload"]["args"]["tls"] is True for e in requests)
    assert all(e["payload"]["args"]["host"] == "localhost" for e in requests)


def failure_events(r):
    """The connect failures of a run (one per TLS-version case)."""
    failures = [e["payload"] for e in r.events() if e["kind"] == "mqtt.connect_failed"]
    assert len(failures) == 2, failures
    return failures


def by_scenario(r):
    """execution (run name) -> scenario id, from results.json."""
    return {s["run"]: s["id"] for s in r.results["scenarios"]}


def test_device_without_certificate_is_refused_with_a_clear_error(hil):
    r = hil("run", TLS / "device-without-certificate-refused.yaml")
    assert r.code == 0, r.stdout + r.stderr
    for failed in failure_events(r):
        assert failed["class"] == "tls.peer_rejected"
        assert failed["detail"], "the refusal must say what the broker sent"


@pytest.mark.parametrize("bench, scenarios", [
    ("lax-broker.yaml", ["device-without-certificate-refused", "device-expired-refused",
                         "device-unknown-ca-refused", "device-revoked-refused"]),
    ("no-crl-broker.yaml", ["device-revoked-refused"]),
    ("no-registry-status-broker.yaml", ["device-inactive-refused", "device-registry-revoked-refused"]),
    ("no-endpoint-rules-broker.yaml", ["endpoint-needs-sni", "endpoint443-needs-alpn"]),
])
def test_a_broken_broker_setting_makes_the_refusal_scenarios_fail(hil, bench, scenarios):
    # The broker's refusals have no firmware misbehaviour to kill them: a broken broker is their
    # negative control, and every case of every such scenario must FAIL on it.
    r = hil("run", *[TLS / f"{name}.yaml" for name in scenarios], "--bench", DATA / bench, "-j", "2")
    assert r.code == 1, r.stdout + r.stderr
    results = r.results["scenarios"]
    assert {s["id"].split("[")[0] for s in results} == set(scenarios)
    for s in results:
        assert s["verdict"] == "FAIL", s["id"]
        assert "mqtt.connect_failed" in s["failure"]["expected"], s["id"]


def test_the_broker_side_session_check_sees_an_accepted_session(hil):
    r = hil("run", DATA / "session-seen.yaml")
    assert r.code == 1, r.stdout + r.stderr
    failure = r.results["scenarios"][0]["failure"]
    assert failure["step"] == 3, failure
    assert "New client connected from" in failure["observed"] and " as hil-" in failure["observed"]


def test_broker_from_another_ca_is_refused_with_a_clear_error(hil):
    r = hil("run", TLS / "broker-from-other-ca-refused.yaml")
    assert r.code == 0, r.stdout + r.stderr
    for failed in failure_events(r):
        assert failed["class"] == "tls.server_untrusted"
        assert failed["detail"]


def test_skipping_server_verification_is_caught(hil):
    r = hil("run", TLS / "broker-from-other-ca-refused.yaml", "--misbehave", "skip-server-verify")
    assert r.code == 1, r.stdout + r.stderr
    assert all(s["verdict"] == "FAIL" for s in r.results["scenarios"])


def pem_body(path):
    return "".join(line for line in path.read_text().splitlines() if not line.startswith("-----"))


def key_fingerprints(key_file):
    """Substrings that would betray a key: 24-char windows of its PEM base64 body and 16-byte
    windows of its DER — minus those that also occur in any certificate of the run (a private key
    file carries its public key and the same algorithm identifiers, which are no secret)."""
    body = pem_body(key_file)
    der = base64.b64decode(body)
    certs = sorted(key_file.parent.glob("*.crt"))
    cert_bodies = "".join(pem_body(c) for c in certs)
    cert_ders = b"".join(base64.b64decode(pem_body(c)) for c in certs)
    b64 = [w for w in (body[i:i + 24] for i in range(0, len(body) - 24, 12)) if w not in cert_bodies]
    raw = [w for w in (der[i:i + 16] for i in range(0, len(der) - 16, 8)) if w not in cert_ders]
    assert b64 and raw, f"no private windows left for {key_file}"
    return b64, raw


def test_the_tls_suite_refuses_each_case_with_its_class_and_no_session(hil):
    r = hil("run", TLS, "-j", "2")
    assert r.code == 0, r.stdout + r.stderr
    ids = by_scenario(r)
    events = r.events()
    outcome = {}
    for e in events:
        if e["kind"] in ("mqtt.connected", "mqtt.connect_failed") and e.get("source") == "device":
            outcome[ids[e["scenario"]]] = e
    expected = {
        "broker-expired-refused": "tls.server_expired",
        "broker-not-yet-valid-refused": "tls.server_not_yet_valid",
        "broker-from-other-ca-refused": "tls.server_untrusted",
        "broker-self-signed-refused": "tls.server_untrusted",
        "broker-wrong-host-refused": "tls.hostname_mismatch",
        "device-expired-refused": "tls.peer_rejected",
        "device-unknown-ca-refused": "tls.peer_rejected",
        "device-revoked-refused": "tls.peer_rejected",
        "device-without-certificate-refused": "tls.peer_rejected",
    }
    for name, cls in expected.items():
        for tls in ("1.2", "1.3"):
            e = outcome[f"{name}[tls={tls}]"]
            assert e["kind"] == "mqtt.connect_failed" and e["payload"]["class"] == cls, e
    # Under TLS 1.3 the broker's refusal of the certificate is read from its alert.
    assert "certificate revoked" in outcome["device-revoked-refused[tls=1.3]"]["payload"]["detail"]
    assert "certificate expired" in outcome["device-expired-refused[tls=1.3]"]["payload"]["detail"]
    # The versions were negotiated, not only asked for.
    for name in ("connect-ecdsa", "connect-rsa", "connect-intermediate"):
        for tls in ("1.2", "1.3"):
            e = outcome[f"{name}[tls={tls}]"]
            assert e["kind"] == "mqtt.connected" and e["payload"]["tls_version"] == tls, e
    # The registry refusals are the registry's (the handshake completed): the twin says so.
    log = (r.out_dir / "broker" / "mosquitto.log").read_text()
    assert re.search(r"hil_aws_twin: refusing connection of 'hil-\S+': certificate [0-9a-f]+ is INACTIVE", log)
    assert re.search(r"hil_aws_twin: refusing connection of 'hil-\S+': certificate [0-9a-f]+ is REVOKED", log)
    # The mismatched pair never left the device: its link saw no connection at all.
    [mismatched] = [run for run, sid in ids.items() if sid == "device-mismatched-key-refused"]
    assert outcome["device-mismatched-key-refused"]["payload"]["class"] == "tls.bad_credentials"
    link = [e for e in events if e.get("scenario") == mismatched and e["origin"] == "link-dut"]
    assert any(e["kind"] == "proxy.listening" for e in link)
    assert not [e for e in link if e["kind"] == "proxy.connected"], link
    # Every refusal asserted the broker side: a passed session check in each.
    for s in r.results["scenarios"]:
        if "refused" in s["id"]:
            assert any(step["keyword"] == "expect.absent" and step["verdict"] == "PASS" for step in s["steps"]), s


def test_no_private_key_material_in_any_file_of_a_run(hil):
    r = hil("run", "scenarios/smoke", TLS, "-j", "2")
    assert r.code == 0, r.stdout + r.stderr
    keys = sorted((r.out_dir / "pki").glob("*.key"))
    assert len(keys) >= 20 and any(k.name == "device_rsa.key" for k in keys)
    files = [p for p in r.out_dir.rglob("*") if p.is_file() and p not in keys]
    # The catalogue's key files are the only place a PEM private key is written.
    for path in files:
        assert b"PRIVATE KEY" not in path.read_bytes(), path
    assert any(p.name == "events.jsonl" for p in files) and any(p.name.startswith("console-") for p in files)
    # The device key did go over the console (redacted in the records): the test would see it.
    uploads = [e for e in r.events() if e["kind"] == "console.request" and e["payload"]["command"] == "cred.write"]
    assert uploads and all(re.fullmatch(r"<redacted \d+ bytes>", e["payload"]["args"]["data"]) for e in uploads)
    for key in keys:
        b64, raw = key_fingerprints(key)
        for path in files:
            content = path.read_bytes()
            text = content.decode("latin-1")
            for window in b64:
                # JSON escapes '/' as '\/' nowhere here, but newlines inside PEM bodies would be '\n'.
                assert window not in text, f"{key.name} base64 found in {path}"
            for window in raw:
                assert window not in content, f"{key.name} DER found in {path}"
                assert window.hex() not in text.lower(), f"{key.name} DER (hex) found in {path}"


def test_the_aws_endpoint_refuses_at_the_client_hello_and_says_why(hil):
    r = hil("run", TLS / "endpoint-needs-sni.yaml", TLS / "endpoint443-needs-alpn.yaml", "-j", "2")
    assert r.code == 0, r.stdout + r.stderr
    refused = [e["payload"]["reason"] for e in r.events() if e["kind"] == "proxy.refused"]
    # Per TLS version: no SNI on `endpoint`; no ALPN, then `mqtt`, on `endpoint443`.
    assert sum("no SNI" in why for why in refused) == 2, refused
    assert sum("ALPN x-amzn-mqtt-ca not offered (offered: none)" in why for why in refused) == 2, refused
    assert sum("(offered: mqtt)" in why for why in refused) == 2, refused
    assert len(refused) == 6, refused
