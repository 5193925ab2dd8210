"""pytest plugin for hil: scenario files as pytest tests, and fixtures to drive a bench by hand.

Enable it with `-p hil.pytest_plugin` (or `pytest_plugins = ["hil.pytest_plugin"]` in a
conftest.py). Then:

- Scenario files given to pytest (`pytest -p hil.pytest_plugin scenarios/smoke`) are collected:
  each execution (a file, or each matrix case) is one test item. All collected scenarios run in
  one hil run when the first of them is reached (`--hil-jobs` at once, sharing the broker), so
  the run directory is the one `hil run` would write; each item then reports its verdict: PASS
  passes, FAIL fails with what was expected, observed and where, SKIP skips with the reason,
  ERROR errors. Files named *.inc.yaml are includes, not scenarios.
- Fixtures: `hil_bench` (one Bench per session), `hil_execution` (a fresh execution with the
  device `dut` per test) and `dut` (that device).

Options: --hil-bench FILE, --hil-profile P, --hil-jobs N, --hil-misbehave NAME (repeatable),
--hil-run-dir DIR (default: pytest's temporary directory).
"""
import pathlib
import tempfile

import pytest

import hil


def pytest_addoption(parser):
    group = parser.getgroup("hil", "hil: hardware-in-the-loop scenarios")
    group.addoption("--hil-bench", default=None, help="bench file (default: the built-in virtual bench)")
    group.addoption("--hil-profile", default=None, help="broker profile instead of the bench file's")
    group.addoption("--hil-jobs", type=int, default=1, help="scenario executions at once")
    group.addoption("--hil-misbehave", action="append", default=[],
                    help="start the virtual devices with this misbehaviour (repeatable)")
    group.addoption("--hil-run-dir", default=None, help="the scenario run's directory")


def _is_scenario_file(path: pathlib.Path) -> bool:
    return path.suffix in (".yaml", ".yml") and not path.name.endswith((".inc.yaml", ".inc.yml"))


def pytest_collect_file(parent, file_path):
    if _is_scenario_file(file_path):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):
        try:
            planned = hil.list_scenarios([self.path])
        except hil.ConfigError as e:
            raise self.CollectError(str(e)) from None
        for execution in planned:
            yield ScenarioItem.from_parent(self, name=execution["id"], execution=execution)


class _ScenarioRun:
    """The one hil run of every collected scenario file, made when the first item needs it."""

    def __init__(self, config):
        self.config = config
        self.run = None

    def result_for(self, item) -> "hil.Result":
        if self.run is None:
            files = sorted({str(i.path) for i in self.config._hil_items})
            opts = self.config.option
            out_dir = opts.hil_run_dir or tempfile.mkdtemp(prefix="hil-run-")
            self.run = hil.run(files, bench=opts.hil_bench, profile=opts.hil_profile, jobs=opts.hil_jobs,
                               misbehaviours=opts.hil_misbehave, out_dir=out_dir)
        # Ids are unique per run ("#2" when two files share a stem): match by file and matrix case.
        for result in self.run.results:
            if pathlib.Path(result.raw.get("file", "")).resolve() == item.path.resolve() \
                    and _case(result.id) == _case(item.name):
                return result
        if self.run.json.get("error"):
            raise hil.InfraError(self.run.json["error"])
        raise LookupError(f"the run {self.run.run_dir} has no result for {item.nodeid}")


def _case(execution_id: str) -> str:
    """The matrix case of an execution id: "stem#2[qos=1]" -> "[qos=1]"."""
    return execution_id[execution_id.index("["):] if "[" in execution_id else ""


def pytest_collection_modifyitems(session, config, items):
    config._hil_items = [i for i in items if isinstance(i, ScenarioItem)]
    config._hil_scenario_run = _ScenarioRun(config)


class ScenarioFailed(Exception):
    pass


class ScenarioItem(pytest.Item):
    def __init__(self, *, execution, **kwargs):
        super().__init__(**kwargs)
        self.execution = execution
        # Scenario tags become marks, so `-m "smoke and not slow"` selects scenarios too.
        for tag in execution.get("tags", []):
            mark = tag.replace("-", "_")
            self.config.addinivalue_line("markers", f"{mark}: hil scenario tag '{tag}'")
            self.add_marker(mark)

    def runtest(self):
        result = self.config._hil_scenario_run.result_for(self)
        self.user_properties.append(("hil_verdict", result.verdict))
        if result.verdict == "SKIP":
            pytest.skip(result.reason)
        if result.verdict == "FAIL":
            raise ScenarioFailed(result.describe())
        if result.verdict == "ERROR":
            raise hil.InfraError(result.describe())

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, (ScenarioFailed, hil.InfraError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"scenario {self.name}: {self.execution.get('name', '')}"


@pytest.fixture(scope="session")
def hil_bench(request, tmp_path_factory):
    """A Bench for the session (PKI and broker started once)."""
    opts = request.config.option
    run_dir = tmp_path_factory.mktemp("hil-bench")
    with hil.Bench(opts.hil_bench, profile=opts.hil_profile, run_dir=run_dir) as bench:
        yield bench


@pytest.fixture
def hil_execution(request, hil_bench):
    """A fresh execution per test: the device `dut` and the cloud client, connected."""
    with hil_bench.execution(["dut"], misbehaviours=request.config.option.hil_misbehave) as execution:
        yield execution


@pytest.fixture
def dut(hil_execution):
    """The execution's device `dut`."""
    return hil_execution.device("dut")
