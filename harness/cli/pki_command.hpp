#pragma once
// `hil pki init` (the complete test PKI in a directory of its own, kept across calls) and
// `hil pki to-c` (PEM credentials as C for firmware). The work is in the pki library
// (init_pki, pem_to_c); this wires the options, prints the summary and writes the output.

#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace hil::cli {

struct PkiInitOptions {
    std::filesystem::path dir;
    bool force = false;
    std::vector<std::string> hosts; ///< the broker certificate's names; DNS names or IP literals
    int days = 365;                 ///< validity of the good credentials and the CRL
};

struct PkiToCOptions {
    std::string layout;
    std::filesystem::path cert, key, ca;
    std::string name = "hil";
    std::filesystem::path out; ///< empty: stdout (refused when the output holds a key)
};

struct PkiCommand {
    CLI::App *init = nullptr;
    CLI::App *to_c = nullptr;
    PkiInitOptions init_options;
    PkiToCOptions to_c_options;
};

/// Adds `pki` with its subcommands `init` and `to-c` to `app`; returns `pki`.
CLI::App *add_pki_command(CLI::App &app, PkiCommand &command);

/// Runs the `pki` subcommand that was parsed; returns the exit code (hil/run/exit_codes.hpp). Bad input
/// throws UsageError (exit 2, caught in main), a failure to write InfraError (exit 3).
int pki_command(const PkiCommand &command);

} // namespace hil::cli
