#include "pki_command.hpp"

#include "hil/core/error.hpp"
#include "hil/pki/pem_to_c.hpp"
#include "hil/pki/pki_init.hpp"
#include "hil/run/exit_codes.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace hil::cli {

namespace {

bool is_ip_address(const std::string &host) {
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

/// Letters, digits, '-' and '.', no empty label: the name goes into the certificate's SAN
/// configuration string, where a ',' or ':' would add names nobody asked for.
bool is_dns_name(const std::string &host) {
    if (host.empty() || host.size() > 253 || host.front() == '.' || host.back() == '.') return false;
    char previous = '.';
    for (const char ch : host) {
        const bool ok =
            std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '-' || (ch == '.' && previous != '.');
        if (!ok) return false;
        previous = ch;
    }
    return true;
}

PkiOptions init_pki_options(const PkiInitOptions &o) {
    PkiOptions options;
    options.rsa_variants = true; // the complete catalogue: made once, kept across calls
    options.validity = std::chrono::hours(24 * o.days);
    if (!o.hosts.empty()) {
        options.dns_names.clear();
        options.ip_addresses.clear();
        for (const auto &host : o.hosts) {
            if (is_ip_address(host)) {
                options.ip_addresses.push_back(host);
            } else if (is_dns_name(host)) {
                options.dns_names.push_back(host);
            } else {
                throw UsageError("pki init: --host '" + host + "' is neither a host name nor an IP address");
            }
        }
    }
    return options;
}

void print_catalogue(const TestPki &pki) {
    std::printf("  %-22s %-7s %-11s %s\n", "NAME", "KIND", "KEY", "PROVOKES");
    for (const auto &[name, c] : pki.all()) {
        std::printf("  %-22s %-7s %-11s %s\n", name.c_str(), c.kind.c_str(), c.key_type.c_str(),
                    c.provokes.c_str());
    }
    std::string revokes;
    for (const auto &name : pki.crl().revokes) revokes += (revokes.empty() ? "" : ", ") + name;
    std::printf("  %-22s %-7s %-11s none (revokes %s)\n", pki.crl().name.c_str(), "crl", "-",
                revokes.c_str());
}

int pki_init(const PkiInitOptions &o) {
    const auto options = init_pki_options(o);
    const auto start = std::chrono::steady_clock::now();
    const auto result = init_pki(o.dir, options, o.force);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (result.outcome == PkiInitResult::Outcome::refused) {
        std::cerr << "hil pki init: " << o.dir.string()
                  << ": nothing written, the directory cannot be kept as it is:\n";
        for (const auto &problem : result.problems) std::cerr << "  " << problem << "\n";
        std::cerr << "hil: --force makes a new PKI there (every credential of the catalogue is replaced)"
                  << std::endl;
        return kUsageError;
    }
    const auto &pki = *result.pki;
    if (result.outcome == PkiInitResult::Outcome::created) {
        std::printf("hil pki init: created %zu credentials and a CRL in %s (%.2f s)\n", pki.all().size(),
                    pki.dir().c_str(), seconds);
    } else {
        std::printf("hil pki init: kept the %zu credentials and the CRL in %s (nothing regenerated; --force "
                    "makes new ones)\n",
                    pki.all().size(), pki.dir().c_str());
    }
    print_catalogue(pki);
    std::printf("hil: manifest %s\n", (pki.dir() / "manifest.json").c_str());
    std::fflush(stdout);
    return kAllPassed;
}

/// Through a temporary file and rename; `mode` is set before a byte is written (0600 when the
/// text holds a private key).
void write_output(const std::filesystem::path &path, const std::string &text, mode_t mode) {
    const auto tmp = path.string() + ".tmp";
    ::unlink(tmp.c_str());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) throw InfraError("pki to-c: cannot create " + tmp + ": " + std::strerror(errno));
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw InfraError("pki to-c: cannot write " + tmp + ": " + std::strerror(err));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw InfraError("pki to-c: cannot write " + path.string() + ": " + std::strerror(err));
    }
}

int pki_to_c(const PkiToCOptions &o, bool name_given) {
    PemToCRequest request;
    request.layout = parse_c_layout(o.layout).value_or(CLayout::c_array); // CLI11 checked the name
    request.cert = o.cert;
    request.key = o.key;
    request.ca = o.ca;
    request.name = o.name;
    if (name_given && request.layout != CLayout::c_array) {
        throw UsageError(
            "pki to-c: --name applies to --layout c-array only (the other layouts have fixed names)");
    }
    if (!o.key.empty() && o.out.empty()) {
        throw UsageError(
            "pki to-c: the output holds the private key: give -o FILE (written 0600), it never goes "
            "to stdout");
    }
    const auto text = pem_to_c(request);
    if (o.out.empty()) {
        std::cout << text << std::flush;
    } else {
        write_output(o.out, text, o.key.empty() ? 0644 : 0600);
        std::cout << "hil pki to-c: wrote " << o.out.string() << " (--layout " << o.layout << ")"
                  << std::endl;
    }
    return kAllPassed;
}

} // namespace

CLI::App *add_pki_command(CLI::App &app, PkiCommand &command) {
    auto *pki = app.add_subcommand(
        "pki", "The test PKI: make one in a directory, turn PEM files into C for firmware");
    pki->require_subcommand(1);

    auto &init = command.init_options;
    command.init = pki->add_subcommand(
        "init",
        "Make the complete test PKI in DIR (root and intermediate CA, good and broken broker and device "
        "certificates, a CRL, manifest.json); keep the one already there unless --force");
    command.init->add_option("dir", init.dir, "Directory (created 0700)")->required();
    command.init->add_flag("--force", init.force, "Replace every credential of the catalogue in DIR");
    command.init
        ->add_option(
            "--host", init.hosts,
            "Name or IP address the broker certificates name (repeatable; default: localhost and 127.0.0.1)")
        ->allow_extra_args(false);
    command.init->add_option("--days", init.days, "Validity of the good credentials and the CRL in days")
        ->check(CLI::Range(1, 3650));
    command.init->footer(
        "Exit codes: 0 created or kept, 2 usage error or a PKI in DIR that cannot be kept (see "
        "--force), 3 cannot write.");

    auto &to_c = command.to_c_options;
    command.to_c =
        pki->add_subcommand("to-c", "Write PEM credentials as C for firmware, after validating them");
    command.to_c->add_option("--layout", to_c.layout, "aws | infineon | c-array")
        ->required()
        ->check(CLI::IsMember({"aws", "infineon", "c-array"}));
    command.to_c->add_option("--cert", to_c.cert, "Client certificate (PEM, leaf first)");
    command.to_c->add_option("--key", to_c.key, "Its private key (PEM, unencrypted)");
    command.to_c->add_option("--ca", to_c.ca, "Root CA certificate(s) (PEM)");
    command.to_c->add_option("--name", to_c.name, "c-array: prefix of the C names (default hil)");
    command.to_c->add_option("-o,--out", to_c.out, "Output file (default stdout; required with --key)");
    command.to_c->footer("Exit codes: 0 written, 2 usage error or an input that is not what its role needs "
                         "(\"<file>: <problem>\"), 3 cannot write.");
    return pki;
}

int pki_command(const PkiCommand &command) {
    if (*command.init) return pki_init(command.init_options);
    if (*command.to_c) return pki_to_c(command.to_c_options, command.to_c->count("--name") > 0);
    return kUsageError;
}

} // namespace hil::cli
