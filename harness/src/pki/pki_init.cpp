#include "hil/pki/pki_init.hpp"

#include "hil/core/error.hpp"

namespace hil {

namespace {

PkiInitResult refused(std::vector<std::string> problems) {
    PkiInitResult r;
    r.outcome = PkiInitResult::Outcome::refused;
    r.problems = std::move(problems);
    return r;
}

} // namespace

PkiInitResult init_pki(const std::filesystem::path &dir, const PkiOptions &options, bool force) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool exists = fs::exists(dir, ec);
    if (exists && !fs::is_directory(dir, ec)) return refused({dir.string() + ": not a directory"});

    if (exists && !force) {
        if (fs::exists(dir / "manifest.json", ec)) {
            std::vector<std::string> problems;
            try {
                auto pki = TestPki::load(dir);
                problems = pki.check(options);
                if (problems.empty()) {
                    PkiInitResult r;
                    r.outcome = PkiInitResult::Outcome::kept;
                    r.pki = std::move(pki);
                    return r;
                }
            } catch (const UsageError &e) {
                problems.push_back(e.what());
            }
            return refused(std::move(problems));
        }
        if (!fs::is_empty(dir, ec)) {
            return refused(
                {dir.string() + ": holds files but no manifest.json (not a PKI of `hil pki init`)"});
        }
    }

    PkiInitResult r;
    r.outcome = PkiInitResult::Outcome::created;
    r.pki = TestPki::create(dir, options);
    return r;
}

} // namespace hil
