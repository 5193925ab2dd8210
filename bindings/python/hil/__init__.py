"""hil from Python: the scenarios `hil run` runs, and the bench to drive by hand.

Runs are made by the same C++ code as the `hil` command (same run directory, results.json,
junit.xml, exit codes); a Bench gives the virtual device, the cloud client and the event stream
to a script or a pytest test, like the C++ BenchTest fixture.

    import hil
    run = hil.run(["scenarios/smoke"], jobs=2)
    assert run.ok, run.summary()

    with hil.Bench() as bench, bench.execution() as ex:
        dut = ex.device("dut")
        dut.request("mqtt.connect", ex.connect_args("dut"))
        dut.wait_event("mqtt.connected", timeout=10)

Every wait has a timeout (seconds); a run can be interrupted with Ctrl-C (KeyboardInterrupt,
after the run directory is written).
"""
import json
import os
import pathlib
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence


def _locate_executables():
    # The module is built into <build>/python/hil (or installed into <prefix>/lib/hil/python/hil);
    # the virtual device and the twin plugin are in <build or prefix>/bin and /lib.
    here = pathlib.Path(__file__).resolve().parent
    for root in (here.parents[1], here.parents[3] if len(here.parents) > 3 else None):
        if root is None:
            continue
        vdev = root / "bin" / "hil-vdev"
        if "HIL_VDEV" not in os.environ and vdev.is_file():
            os.environ["HIL_VDEV"] = str(vdev)
        plugin = root / "lib" / "hil_aws_twin.so"
        if "HIL_TWIN_PLUGIN" not in os.environ and plugin.is_file():
            os.environ["HIL_TWIN_PLUGIN"] = str(plugin)


_locate_executables()

from . import _hil  # noqa: E402  (after the environment the C++ side reads)
from ._hil import ConfigError, InfraError, UsageError  # noqa: E402,F401

__version__ = _hil.__version__
__all__ = ["run", "list_scenarios", "Bench", "Execution", "Device", "Run", "Result", "misbehaviours",
           "capabilities", "ConfigError", "InfraError", "UsageError"]

PathLike = Any  # str or os.PathLike


@dataclass
class Result:
    """One scenario execution, as results.json records it (docs/results-format.md)."""
    id: str
    name: str
    verdict: str  # "PASS", "FAIL", "ERROR", "SKIP"
    reason: str
    duration_ms: float
    failure: Optional[dict]
    logs: dict
    raw: dict = field(repr=False)

    @classmethod
    def from_json(cls, item: dict) -> "Result":
        return cls(id=item["id"], name=item.get("name", ""), verdict=item["verdict"],
                   reason=item.get("reason", ""), duration_ms=item.get("duration_ms", 0.0),
                   failure=item.get("failure"), logs=item.get("logs", {}), raw=item)

    @property
    def ok(self) -> bool:
        return self.verdict in ("PASS", "SKIP")

    def describe(self) -> str:
        """The result as `hil run` prints it: verdict, id, and for a failure what and where."""
        text = f"{self.verdict}  {self.id}  {self.name}"
        if self.verdict in ("FAIL", "ERROR", "SKIP") and self.reason:
            text += f"\n  {self.reason}"
        if self.failure:
            for key in ("where", "expected", "observed"):
                if self.failure.get(key):
                    text += f"\n  {key}: {self.failure[key]}"
        if self.verdict in ("FAIL", "ERROR"):
            for label, path in sorted(self.logs.items()):
                text += f"\n  {label}: {path}"
        return text


@dataclass
class Run:
    """A finished run: results.json as objects, and where its files are."""
    exit_code: int
    run_id: str
    run_dir: pathlib.Path
    results: list
    json: dict = field(repr=False)

    @property
    def ok(self) -> bool:
        """True when `hil run` would have exited 0."""
        return self.exit_code == 0

    def result(self, execution_id: str) -> Result:
        for r in self.results:
            if r.id == execution_id:
                return r
        raise KeyError(f"no execution '{execution_id}' in run {self.run_id}")

    def summary(self) -> str:
        lines = [r.describe() for r in self.results]
        if self.json.get("error"):
            lines.append(f"infrastructure error: {self.json['error']}")
        lines.append(f"exit code {self.exit_code}; results {self.run_dir / 'results.json'}")
        return "\n".join(lines)


def run(paths: Sequence[PathLike], *, bench: Optional[PathLike] = None, profile: Optional[str] = None,
        jobs: int = 1, misbehaviours: Sequence[str] = (), out_dir: Optional[PathLike] = None,
        tags: str = "", filter: str = "", shard: str = "", repeat: int = 1, until_fail: bool = False,
        on_result: Optional[Callable[[Result], None]] = None) -> Run:
    """Runs the scenarios under `paths` like `hil run` and returns the Run.

    Raises ConfigError (every problem of every scenario or bench file, "file:line:col: ..."),
    UsageError (bad arguments, nothing selected, an existing non-empty out_dir). A bench that
    breaks during the run is not an exception: it is in the Run (exit_code 3, ERROR results).
    """
    callback = None
    if on_result is not None:
        def callback(text: str) -> None:
            on_result(Result.from_json(json.loads(text)))
    text = _hil.run([str(p) for p in paths], None if bench is None else str(bench), profile, jobs,
                    list(misbehaviours), None if out_dir is None else str(out_dir), tags, filter, shard,
                    repeat, until_fail, callback)
    data = json.loads(text)
    return Run(exit_code=data["exit_code"], run_id=data["run_id"], run_dir=pathlib.Path(data["run_dir"]),
               results=[Result.from_json(s) for s in data.get("scenarios", [])], json=data)


def list_scenarios(paths: Sequence[PathLike], *, tags: str = "", filter: str = "") -> list:
    """The executions a selection plans (dicts: id, name, file, tags, requires, kills, profile)."""
    return json.loads(_hil.list([str(p) for p in paths], tags, filter))


def misbehaviours() -> list:
    """The virtual device's misbehaviours (negative controls), by name."""
    return _hil.misbehaviours()


def capabilities() -> list:
    """The capabilities a scenario may require, by name."""
    return _hil.capabilities()


class Bench:
    """A bench (test PKI, embedded broker, or the broker a bench file names) for executions
    driven from Python. Use as a context manager; `close()` stops everything it started."""

    def __init__(self, bench: Optional[PathLike] = None, *, profile: Optional[str] = None,
                 run_dir: Optional[PathLike] = None):
        if run_dir is None:
            run_dir = tempfile.mkdtemp(prefix="hil-bench-")
        self._bench = _hil.Bench(None if bench is None else str(bench), profile, str(run_dir))

    @property
    def run_dir(self) -> pathlib.Path:
        """Where events.jsonl, the broker's files and each execution's logs go."""
        return pathlib.Path(self._bench.run_dir)

    @property
    def capabilities(self) -> list:
        return self._bench.capabilities

    @property
    def profile(self) -> str:
        return self._bench.profile

    def execution(self, devices: Sequence[str] = ("dut",), *, misbehaviours: Sequence[str] = ()) -> "Execution":
        """Opens an execution: one virtual device per handle (with its identity and link), and
        the cloud client, connected."""
        return Execution(_hil.Execution(self._bench, list(devices), list(misbehaviours)))

    def close(self) -> None:
        self._bench.close()

    def __enter__(self) -> "Bench":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Device:
    """One device of an execution, by handle."""

    def __init__(self, execution: "Execution", handle: str):
        self._execution = execution
        self.handle = handle

    def request(self, command: str, args: Optional[dict] = None, *, timeout: float = 5.0) -> dict:
        """Sends a console request (firmware/PROTOCOL.md) and returns its answer
        {"ok": bool, "body": {...}}. Raises TimeoutError when none comes in time."""
        return self._execution._ex.request(self.handle, command, args, timeout)

    def wait_event(self, kind: str, match: Optional[dict] = None, *, timeout: float = 5.0,
                   after: int = 0) -> Optional[dict]:
        """The first event `kind` of this device since the execution began (or after event
        `after`, a seq) whose payload contains `match`; None when none comes in time."""
        return self._execution._ex.wait_event("device", self.handle, kind, match, timeout, after)


class Execution:
    """An execution's devices, cloud client, variables and events. Close it (or use `with`)."""

    def __init__(self, ex):
        self._ex = ex

    @property
    def run(self) -> str:
        """The execution's run-derived name: in its topics and client ids."""
        return self._ex.run

    def device(self, handle: str = "dut") -> Device:
        return Device(self, handle)

    def connect_args(self, handle: str = "dut") -> dict:
        """mqtt.connect arguments for the device on this bench (endpoint, client id, TLS slots)."""
        return self._ex.connect_args(handle)

    def var(self, name: str) -> str:
        """A built-in variable (`run`, `thing`, `client_id`, `broker.url`, ...)."""
        variables = self._ex.variables()
        if name not in variables:
            raise KeyError(f"no bench variable '{name}' (known: {', '.join(sorted(variables))})")
        return variables[name]

    def subscribe(self, topic_filter: str, *, qos: int = 1, timeout: float = 5.0) -> None:
        """The cloud client subscribes and waits for the SUBACK."""
        self._ex.subscribe(topic_filter, qos, timeout)

    def publish(self, topic: str, payload: str, *, qos: int = 1, retain: bool = False,
                timeout: float = 5.0) -> None:
        """The cloud client publishes and waits until it is sent or acknowledged."""
        self._ex.publish(topic, payload, qos, retain, timeout)

    def wait_message(self, topic: str, match: Optional[dict] = None, *, timeout: float = 5.0,
                     after: int = 0) -> Optional[dict]:
        """The first message the cloud client received on `topic` (exact) whose event payload
        contains `match` ({"payload": ...}); None when none comes in time."""
        wanted = dict(match or {})
        wanted["topic"] = topic
        return self._ex.wait_event("cloud", "", "cloud.message", wanted, timeout, after)

    def shadow(self, op: str, thing: str, body: Optional[dict] = None, *, name: str = "",
               timeout: float = 5.0) -> Optional[dict]:
        """A shadow request as the application makes it (op: update, get, delete); the answer
        {"accepted": bool, "body": {...}}, or None when none comes in time."""
        return self._ex.shadow(op, thing, name, body, timeout)

    def events(self) -> list:
        """This execution's events so far (what events.jsonl records)."""
        return self._ex.events()

    def logs(self) -> dict:
        return self._ex.logs()

    def close(self) -> None:
        self._ex.close()

    def __enter__(self) -> "Execution":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
