// A throwaway PKI for the TLS component tests, made with the OpenSSL C API (EC P-256 keys,
// SHA-256 signatures). Test code only: the keys live in memory and in the tests' temp dirs.
#pragma once

#include <string>

namespace vdevtest {

struct Pem {
    std::string cert; // PEM certificate
    std::string key;  // PEM private key (PKCS#8, unencrypted)
};

struct Pki {
    Pem ca;             // root CA of the run
    Pem server;         // signed by ca: CN=localhost, SAN DNS:localhost, IP:127.0.0.1
    Pem client;         // signed by ca: CN=hil-dut (client auth)
    Pem other_ca;       // an unrelated root
    Pem other_client;   // signed by other_ca
    Pem expired_server; // signed by ca, valid until an hour ago
    Pem future_server;  // signed by ca, valid from tomorrow
};

// Built once per process (EC keys are cheap, but there is no need to repeat it).
const Pki &pki();

} // namespace vdevtest
