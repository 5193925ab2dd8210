#pragma once
// A throw-away PKI for the component tests (OpenSSL, EC P-256): one CA, a server certificate
// for 127.0.0.1/localhost and client certificates, written as PEM files (keys 0600) into a
// test directory. Nothing is committed; nothing outlives the test directory.

#include <filesystem>
#include <memory>
#include <string>

namespace hil::twin::test {

struct IssuedCertificate {
    std::filesystem::path certfile;
    std::filesystem::path keyfile;
    std::string fingerprint; ///< lowercase hex SHA-256 of the DER (the registry key)
};

class TestPki {
  public:
    explicit TestPki(std::filesystem::path dir);
    ~TestPki();
    TestPki(const TestPki &) = delete;
    TestPki &operator=(const TestPki &) = delete;

    [[nodiscard]] const std::filesystem::path &ca_file() const { return ca_file_; }
    /// A server certificate with subjectAltName DNS:localhost, IP:127.0.0.1.
    IssuedCertificate server(const std::string &name = "server");
    /// A client certificate with the given subject CN.
    IssuedCertificate client(const std::string &common_name);

  private:
    struct State;
    IssuedCertificate issue(const std::string &name, const std::string &common_name, bool server);

    std::filesystem::path dir_;
    std::filesystem::path ca_file_;
    std::unique_ptr<State> state_;
};

} // namespace hil::twin::test
