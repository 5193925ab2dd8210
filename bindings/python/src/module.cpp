// hil._hil: exceptions, names, and the JSON bridge; runs and benches are in their own files.
#include "bindings.hpp"

#include "hil/core/error.hpp"
#include "hil/scenario/names.hpp"

#include <pybind11/stl.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace hil::python {

py::object to_python(const nlohmann::json &value) {
    static py::object loads = py::module_::import("json").attr("loads");
    return loads(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

nlohmann::json from_python(const py::handle &object) {
    static py::object dumps = py::module_::import("json").attr("dumps");
    try {
        return nlohmann::json::parse(dumps(object).cast<std::string>());
    } catch (const py::error_already_set &e) {
        throw py::type_error(
            std::string("expected a JSON-like value (dict, list, str, number, bool, None): ") + e.what());
    }
}

void run_interruptibly(const std::function<void()> &work, const std::function<void()> &on_signal) {
    // Python runs signal handlers only on the main thread: the work goes to another thread, and
    // this one looks for a pending signal between waits.
    std::mutex mutex;
    std::condition_variable done_changed;
    bool done = false;
    std::exception_ptr failure;
    std::optional<py::error_already_set> signal_error;
    {
        py::gil_scoped_release release;
        std::thread worker([&] {
            try {
                work();
            } catch (...) {
                failure = std::current_exception();
            }
            const std::lock_guard lock(mutex);
            done = true;
            done_changed.notify_all();
        });
        std::unique_lock lock(mutex);
        while (!done_changed.wait_for(lock, std::chrono::milliseconds(100), [&] { return done; })) {
            if (signal_error) continue; // cancelled already: wait for the run to wind down
            lock.unlock();
            bool interrupted = false;
            {
                py::gil_scoped_acquire acquire;
                if (PyErr_CheckSignals() != 0) {
                    signal_error.emplace(); // takes the pending KeyboardInterrupt
                    interrupted = true;
                }
            }
            if (interrupted) on_signal();
            lock.lock();
        }
        lock.unlock();
        worker.join();
    }
    if (failure) std::rethrow_exception(failure);
    if (signal_error) throw std::move(*signal_error);
}

} // namespace hil::python

PYBIND11_MODULE(_hil, m) {
    namespace py = pybind11;
    using namespace hil::python;
    m.doc() = "hil's C++ library for Python (use the `hil` package, not this module)";
    m.attr("__version__") = HIL_VERSION;

    // Errors keep their kind: a file problem is not a broken bench.
    static py::exception<hil::ConfigError> config_error(m, "ConfigError", PyExc_ValueError);
    static py::exception<hil::UsageError> usage_error(m, "UsageError", PyExc_ValueError);
    static py::exception<hil::InfraError> infra_error(m, "InfraError", PyExc_RuntimeError);
    // NOLINTNEXTLINE(performance-unnecessary-value-param): pybind11 fixes the signature
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const hil::ConfigError &e) {
            // One line per problem, "file:line:column: message", as the CLI prints them.
            std::string text;
            for (const auto &issue : e.issues()) text += (text.empty() ? "" : "\n") + issue.to_string();
            config_error(text.c_str());
        } catch (const hil::UsageError &e) {
            usage_error(e.what());
        } catch (const hil::InfraError &e) {
            const std::string log = e.log_path().empty() ? "" : " (log: " + e.log_path() + ")";
            infra_error((std::string(e.what()) + log).c_str());
        }
    });

    m.def(
        "misbehaviours",
        [] {
            std::vector<std::string> out(hil::names::misbehaviours().begin(),
                                         hil::names::misbehaviours().end());
            return out;
        },
        "Names of the virtual device's misbehaviours (negative controls).");
    m.def(
        "capabilities",
        [] {
            std::vector<std::string> out(hil::names::capabilities().begin(),
                                         hil::names::capabilities().end());
            return out;
        },
        "Names of the capabilities scenarios may require.");

    bind_run(m);
    bind_bench(m);
}
