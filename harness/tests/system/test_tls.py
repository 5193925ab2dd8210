"""Mutual TLS end to end on the virtual bench: the smoke suite over mTLS, the two refusals, their
negative controls, and no private key material anywhere in a run directory."""
import base64
import pathlib
import re

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


def failure_event(r):
    [event] = [e for e in r.events() if e["kind"] == "mqtt.connect_failed"]
    return event["payload"]


def test_device_without_certificate_is_refused_with_a_clear_error(hil):
    r = hil("run", TLS / "device-without-certificate-refused.yaml")
    assert r.code == 0, r.stdout + r.stderr
    failed = failure_event(r)
    assert failed["class"] == "tls.peer_rejected"
    assert failed["detail"], "the refusal must say what the broker sent"


def test_a_lax_broker_makes_the_certificate_scenario_fail(hil):
    r = hil("run", TLS / "device-without-certificate-refused.yaml", "--bench", DATA / "lax-broker.yaml")
    assert r.code == 1, r.stdout + r.stderr
    assert "mqtt.connect_failed" in r.results["scenarios"][0]["failure"]["expected"]


def test_broker_from_another_ca_is_refused_with_a_clear_error(hil):
    r = hil("run", TLS / "broker-from-other-ca-refused.yaml")
    assert r.code == 0, r.stdout + r.stderr
    failed = failure_event(r)
    assert failed["class"] == "tls.server_untrusted"
    assert failed["detail"]


def test_skipping_server_verification_is_caught(hil):
    r = hil("run", TLS / "broker-from-other-ca-refused.yaml", "--misbehave", "skip-server-verify")
    assert r.code == 1, r.stdout + r.stderr
    assert r.results["scenarios"][0]["verdict"] == "FAIL"


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


def test_no_private_key_material_in_any_file_of_a_run(hil):
    r = hil("run", "scenarios/smoke", TLS)
    assert r.code == 0, r.stdout + r.stderr
    keys = sorted((r.out_dir / "pki").glob("*.key"))
    assert len(keys) >= 4
    files = [p for p in r.out_dir.rglob("*") if p.is_file() and p not in keys]
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
