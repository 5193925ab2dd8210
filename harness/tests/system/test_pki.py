"""`hil pki init` and `hil pki to-c` end to end: the catalogue on disk (keys 0600, nothing secret
printed, kept across calls unless --force), the C it makes compiled and linked into a program
that parses the embedded PEM with OpenSSL and finds the input's fingerprint, and garbage refused
with exit 2 naming the file."""
import hashlib
import json
import re
import shutil
import stat
import subprocess

import pytest

from conftest import DATA, HIL_BIN, SOURCE_DIR

LAYOUTS = {
    # layout: (inputs, header file name or None for a C source, define)
    "aws": (("cert", "key"), "aws_clientcredential_keys.h", "HIL_LAYOUT_AWS"),
    "infineon": (("ca", "cert", "key"), "hil_mqtt_credentials.h", "HIL_LAYOUT_INFINEON"),
    "c-array": (("ca", "cert", "key"), None, "HIL_LAYOUT_C_ARRAY"),
}


def error_classes():
    text = (SOURCE_DIR / "firmware" / "core" / "include" / "hil_names.def").read_text()
    return set(re.findall(r'HIL_ERROR\(\w+,\s*"([^"]+)"', text))


def openssl_fingerprint(cert):
    out = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-fingerprint", "-sha256"],
                         capture_output=True, text=True, check=True).stdout
    return out.strip().split("=", 1)[1]


def files_digest(directory):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def key_windows(key_file):
    """24-character windows of a key's PEM body: any of them in an output would leak the key."""
    body = "".join(line for line in key_file.read_text().splitlines() if not line.startswith("-----"))
    return [body[i:i + 24] for i in range(0, len(body) - 24, 12)]


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """One `hil pki init` for the module (with the RSA variants, as init always makes them)."""
    directory = tmp_path_factory.mktemp("pki") / "pki"
    proc = subprocess.run([str(HIL_BIN), "pki", "init", str(directory)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    manifest = json.loads((directory / "manifest.json").read_text())
    return directory, manifest, proc


def credential(manifest, name):
    [entry] = [c for c in manifest["credentials"] if c["name"] == name]
    return entry


def test_init_writes_the_catalogue_keys_0600_and_prints_no_key(pki):
    directory, manifest, proc = pki
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    names = {c["name"] for c in manifest["credentials"]}
    assert {"ca", "intermediate", "other_ca", "broker", "broker_expired", "broker_not_yet_valid",
            "broker_wrong_host", "broker_untrusted", "broker_self_signed", "broker_rsa", "broker_ecdsa",
            "device", "device_expired", "device_not_yet_valid", "device_unknown_ca", "device_revoked",
            "device_mismatched_key", "device_rsa", "device_ecdsa", "cloud", "crl"} <= names
    known = error_classes()
    for c in manifest["credentials"]:
        assert c["provokes"] == "none" or c["provokes"] in known, c
        for role, name in c["files"].items():
            assert (directory / name).is_file(), (c["name"], role)
        if c["kind"] != "crl":
            assert c["key_type"] in ("ecdsa-p256", "rsa-2048")
            assert stat.S_IMODE((directory / c["files"]["key"]).stat().st_mode) == 0o600, c["name"]
            assert c["sha256_fingerprint"] == openssl_fingerprint(directory / c["files"]["cert"])
    assert credential(manifest, "device_rsa")["key_type"] == "rsa-2048"
    assert credential(manifest, "broker_expired")["provokes"] == "tls.server_expired"
    assert credential(manifest, "device_mismatched_key")["provokes"] == "tls.bad_credentials"
    # The summary names every credential and what it provokes; no key material anywhere.
    out = proc.stdout + proc.stderr
    assert "PRIVATE KEY" not in out
    assert re.search(r"^\s+broker_not_yet_valid\s+broker\s+ecdsa-p256\s+tls.server_not_yet_valid$", proc.stdout, re.M)
    for key in directory.glob("*.key"):
        assert not any(w in out for w in key_windows(key)), key.name
    assert "PRIVATE KEY" not in (directory / "manifest.json").read_text()


def test_the_files_do_what_the_manifest_says_for_another_verifier(pki):
    """The openssl command (the library Mosquitto uses) agrees: chain, expiry, host, CRL, pair."""
    directory, _, _ = pki

    def verify(*args):
        """`openssl verify` against the run's root: "OK", or its error text (it prints it on stderr)."""
        r = subprocess.run(["openssl", "verify", "-CAfile", str(directory / "ca.crt"), *map(str, args)],
                           capture_output=True, text=True)
        return "OK" if r.returncode == 0 else r.stdout + r.stderr

    assert verify(directory / "device.crt") == "OK"
    assert verify("-untrusted", directory / "intermediate.crt", directory / "broker_intermediate.crt") == "OK"
    assert "certificate has expired" in verify(directory / "broker_expired.crt")
    assert "certificate is not yet valid" in verify(directory / "device_not_yet_valid.crt")
    assert "hostname mismatch" in verify("-verify_hostname", "localhost", directory / "broker_wrong_host.crt").lower()
    crl = ("-crl_check", "-CRLfile", directory / "crl.pem")
    assert "certificate revoked" in verify(*crl, directory / "device_revoked.crt")
    assert verify(*crl, directory / "device.crt") == "OK"
    pubkey = lambda *cmd: subprocess.run(["openssl", *cmd], capture_output=True, text=True, check=True).stdout
    mismatched = directory / "device_mismatched_key"
    assert pubkey("x509", "-in", f"{mismatched}.crt", "-noout", "-pubkey") != pubkey("pkey", "-in", f"{mismatched}.key",
                                                                                    "-pubout")


def test_init_again_keeps_everything_unless_forced(hil, tmp_path):
    directory = tmp_path / "pki"
    assert hil("pki", "init", directory, "--host", "bench-pc.local", "--host", "192.168.7.2").code == 0
    before = files_digest(directory)
    again = hil("pki", "init", directory, "--host", "bench-pc.local", "--host", "192.168.7.2")
    assert again.code == 0, again.stdout + again.stderr
    assert "kept the" in again.stdout and "nothing regenerated" in again.stdout
    assert files_digest(directory) == before
    sans = credential(json.loads((directory / "manifest.json").read_text()), "broker")["sans"]
    assert sans == ["DNS:bench-pc.local", "IP:192.168.7.2"]

    # Other hosts, or a damaged file: refused (exit 2), nothing written, --force named.
    other = hil("pki", "init", directory)
    assert other.code == 2 and "broker: names DNS:bench-pc.local,IP:192.168.7.2" in other.stderr
    (directory / "device_revoked.crt").unlink()
    damaged = hil("pki", "init", directory, "--host", "bench-pc.local", "--host", "192.168.7.2")
    assert damaged.code == 2
    assert f"device_revoked: {directory / 'device_revoked.crt'}: missing" in damaged.stderr
    assert "--force" in damaged.stderr

    forced = hil("pki", "init", directory, "--force")
    assert forced.code == 0, forced.stdout + forced.stderr
    after = files_digest(directory)
    assert after["ca.crt"] != before["ca.crt"] and after["broker_expired.crt"] != before["broker_expired.crt"]


def test_init_refuses_bad_usage_with_exit_2(hil, tmp_path):
    assert hil("pki", "init", tmp_path / "a", "--host", "evil,DNS:other").code == 2
    assert hil("pki", "init", tmp_path / "b", "--days", "0").code == 2
    assert hil("pki", "init").code == 2
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "notes.txt").write_text("mine")
    r = hil("pki", "init", tmp_path / "c")
    assert r.code == 2 and "no manifest.json" in r.stderr


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("device", ["device", "device_rsa"])
def test_to_c_output_compiles_links_and_carries_the_input_certificate(hil, pki, tmp_path, layout, device):
    directory, _, _ = pki
    inputs, header, define = LAYOUTS[layout]
    files = {"ca": directory / "ca.crt", "cert": directory / f"{device}.crt", "key": directory / f"{device}.key"}
    out = tmp_path / (header or "credentials.c")
    args = ["pki", "to-c", "--layout", layout, "-o", out]
    for role in inputs:
        args += [f"--{role}", files[role]]
    if layout == "c-array":
        args += ["--name", "fw"]
    r = hil(*args)
    assert r.code == 0, r.stdout + r.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # it holds the private key
    assert not any(w in r.stdout + r.stderr for w in key_windows(files["key"]))

    program = tmp_path / "pem_fingerprint"
    sources = [DATA / "pem_fingerprint.c"] + ([] if header else [out])
    cc = shutil.which("cc")
    assert cc, "a C compiler (cc) is needed"
    build = subprocess.run([cc, "-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror", f"-D{define}",
                            "-I", str(tmp_path), *map(str, sources), "-lcrypto", "-o", str(program)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(program)], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stdout + run.stderr
    printed = dict(line.split(" sha256 Fingerprint=") for line in run.stdout.splitlines() if "Fingerprint" in line)
    assert printed["cert"] == openssl_fingerprint(files["cert"])
    if "ca" in inputs:
        assert printed["ca"] == openssl_fingerprint(files["ca"])
    assert "key matches" in run.stdout


def garbage(directory, tmp_path):
    cert = (directory / "device.crt").read_text()
    truncated = tmp_path / "truncated.crt"
    truncated.write_text(cert[: len(cert) // 2])
    return {
        # name: (arguments, the file the message must name, the problem)
        "truncated PEM": (["--cert", truncated], truncated, "has no END line (truncated file?)"),
        "key given as certificate": (["--cert", directory / "device.key"], directory / "device.key",
                                     "expected CERTIFICATE, found PRIVATE KEY"),
        "mismatched key": (["--cert", directory / "device_mismatched_key.crt", "--key",
                            directory / "device_mismatched_key.key"], directory / "device_mismatched_key.key",
                           "does not match the certificate in"),
        "certificate given as key": (["--cert", directory / "device.crt", "--key", directory / "device.crt"],
                                     directory / "device.crt", "expected a private key"),
        "missing file": (["--ca", tmp_path / "nope.crt"], tmp_path / "nope.crt", "no such file"),
    }


@pytest.mark.parametrize("case", ["truncated PEM", "key given as certificate", "mismatched key",
                                  "certificate given as key", "missing file"])
@pytest.mark.parametrize("layout", ["c-array", "infineon"])
def test_to_c_refuses_garbage_with_exit_2_naming_the_file(hil, pki, tmp_path, case, layout):
    directory, _, _ = pki
    args, named, problem = garbage(directory, tmp_path)[case]
    given = {a for a in args if str(a).startswith("--")}
    complete = {"--ca": directory / "ca.crt", "--cert": directory / "device.crt", "--key": directory / "device.key"}
    if layout == "infineon":  # it needs all three: the good ones fill in what the case does not give
        for flag, path in complete.items():
            if flag not in given:
                args = args + [flag, path]
    out = tmp_path / "out.c"
    r = hil("pki", "to-c", "--layout", layout, *args, "-o", out)
    assert r.code == 2, r.stdout + r.stderr
    assert f"{named}: " in r.stderr and problem in r.stderr, r.stderr
    assert not out.exists()
    for key in directory.glob("*.key"):
        assert not any(w in r.stderr for w in key_windows(key)), key.name


def test_to_c_never_sends_a_key_to_stdout_and_checks_the_layout(hil, pki):
    directory, _, _ = pki
    r = hil("pki", "to-c", "--layout", "c-array", "--cert", directory / "device.crt", "--key", directory / "device.key")
    assert r.code == 2 and "-o FILE" in r.stderr and r.stdout == ""
    assert hil("pki", "to-c", "--layout", "pkcs12", "--cert", directory / "device.crt").code == 2
    assert hil("pki", "to-c", "--layout", "aws", "--cert", directory / "device.crt").code == 2
    # Certificates alone may go to stdout.
    public = hil("pki", "to-c", "--layout", "c-array", "--ca", directory / "ca.crt")
    assert public.code == 0 and "const char hil_root_ca_pem[] =" in public.stdout
