#pragma once
// The pybind11 module `hil._hil`: a thin layer over the C++ library. Data crosses as JSON text
// (results.json's own shapes), which the Python package (bindings/python/hil) turns into
// objects, so Python sees exactly what a run directory holds.

#include <nlohmann/json.hpp>
#include <pybind11/pybind11.h>

#include <functional>

namespace hil::python {

namespace py = pybind11;

/// `hil.run()` / `hil.list()`: whole runs, as `hil run` makes them.
void bind_run(py::module_ &module);
/// `hil.Bench`: a bench and executions to drive by hand (devices, cloud client, events).
void bind_bench(py::module_ &module);

/// Python's view of a JSON value (json.loads of its text).
[[nodiscard]] py::object to_python(const nlohmann::json &value);
/// A JSON value from a Python object (json.dumps, then parse). Throws py::type_error.
[[nodiscard]] nlohmann::json from_python(const py::handle &object);

/// Runs `work` without the GIL while a watcher takes the GIL every 100 ms to let Python see a
/// pending signal (Ctrl-C): `on_signal` is then called (cancel the run) and the Python exception
/// is raised once `work` returns. Python cannot act on signals while C++ holds the thread.
void run_interruptibly(const std::function<void()> &work, const std::function<void()> &on_signal);

} // namespace hil::python
