// PEM credentials as C for firmware: every layout carries exactly the input PEM, and anything
// that is not what its role needs is refused with "<file>: <problem>" (never the file's bytes).
#include "hil/core/files.hpp"
#include "hil/pki/pem_to_c.hpp"
#include "hil/pki/test_pki.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <unistd.h>

#include <memory>
#include <sstream>

namespace hil {
namespace {

namespace fs = std::filesystem;

/// The C string literal `"..."` of one line, unescaped (the inverse of c_string_escape).
std::string unescape_literal(const std::string &line) {
    const auto open = line.find('"');
    const auto close = line.rfind('"');
    std::string out;
    for (std::size_t i = open + 1; i < close; ++i) {
        if (line[i] != '\\') {
            out += line[i];
            continue;
        }
        const char e = line[++i];
        if (e >= '0' && e <= '7') {
            out += static_cast<char>(std::stoi(line.substr(i, 3), nullptr, 8));
            i += 2;
        } else {
            out += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
        }
    }
    return out;
}

/// The text of the string macro or array that `marker` starts, as the C compiler sees it.
std::string literal_after(const std::string &source, const std::string &marker) {
    const auto at = source.find(marker);
    if (at == std::string::npos) return "<" + marker + " not found>";
    std::istringstream lines(source.substr(at));
    std::string line;
    std::getline(lines, line); // the #define or declaration line
    std::string text;
    while (std::getline(lines, line) && line.find('"') != std::string::npos) {
        text += unescape_literal(line);
        if (line.back() != '\\' && line.back() != '"') break; // end of macro or `";`
        if (line.back() == '"' && marker.starts_with("#define")) break;
    }
    return text;
}

class PemToCTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = fs::temp_directory_path() / ("hil-pem-to-c-test-" + std::to_string(getpid()));
        fs::remove_all(dir_);
        pki_ = std::make_unique<TestPki>(TestPki::create(dir_ / "pki", PkiOptions{}));
    }
    static void TearDownTestSuite() {
        pki_.reset();
        fs::remove_all(dir_);
    }

    /// A file with `text` in the test directory.
    static fs::path file(const std::string &name, const std::string &text) {
        write_file_atomically(dir_ / name, text);
        return dir_ / name;
    }

    /// The PemInputError message of converting `cert` / `key` (c-array), or "" if none.
    static std::string refusal(const fs::path &cert, const fs::path &key = {}) {
        PemToCRequest r;
        r.cert = cert;
        r.key = key;
        try {
            (void)pem_to_c(r);
        } catch (const PemInputError &e) {
            return e.what();
        }
        return "";
    }

    static inline fs::path dir_;
    static inline std::unique_ptr<TestPki> pki_;
};

TEST(CStringEscape, EscapesWhatCannotStandInACString) {
    EXPECT_EQ(c_string_escape("-----BEGIN CERTIFICATE-----\n"), "-----BEGIN CERTIFICATE-----\\n");
    EXPECT_EQ(c_string_escape("a\"b\\c"), "a\\\"b\\\\c");
    EXPECT_EQ(c_string_escape(std::string("?") + "?="), "\\?\\?="); // no trigraph survives
    EXPECT_EQ(c_string_escape("\r\t"), "\\r\\t");
    // Three octal digits always, so a following digit never joins the escape.
    EXPECT_EQ(c_string_escape(std::string("\x01") + "1"), "\\0011");
    EXPECT_EQ(c_string_escape(std::string("\0", 1)), "\\000");
    EXPECT_EQ(c_string_escape("\xff\x7f"), "\\377\\177");
    EXPECT_EQ(c_string_escape("MIIB+/=="), "MIIB+/==");
}

TEST(CLayoutNames, AreTheFlagValues) {
    EXPECT_EQ(parse_c_layout("aws"), CLayout::aws);
    EXPECT_EQ(parse_c_layout("infineon"), CLayout::infineon);
    EXPECT_EQ(parse_c_layout("c-array"), CLayout::c_array);
    EXPECT_EQ(parse_c_layout("c_array"), std::nullopt);
}

TEST_F(PemToCTest, TheAwsLayoutIsFreeRtosCredentialKeysWithTheExactPem) {
    PemToCRequest r;
    r.layout = CLayout::aws;
    r.cert = pki_->device().cert;
    r.key = pki_->device().key;
    const auto c = pem_to_c(r);
    EXPECT_EQ(literal_after(c, "#define keyCLIENT_CERTIFICATE_PEM"), read_text_file(r.cert));
    EXPECT_EQ(literal_after(c, "#define keyCLIENT_PRIVATE_KEY_PEM"), read_text_file(r.key));
    EXPECT_NE(c.find("#define keyJITR_DEVICE_CERTIFICATE_AUTHORITY_PEM NULL\n"), std::string::npos);
    EXPECT_NE(c.find("#ifndef AWS_CLIENT_CREDENTIAL_KEYS_H\n#define AWS_CLIENT_CREDENTIAL_KEYS_H\n"),
              std::string::npos);
    EXPECT_NE(c.find(pki_->device().sha256_fingerprint), std::string::npos); // in a comment, to check by eye
    EXPECT_NE(c.find("keep this file out of version control"), std::string::npos);
}

TEST_F(PemToCTest, TheInfineonLayoutHasTheMqttClientConfigMacros) {
    PemToCRequest r;
    r.layout = CLayout::infineon;
    r.ca = pki_->ca().cert;
    r.cert = pki_->device().cert;
    r.key = pki_->device().key;
    const auto c = pem_to_c(r);
    EXPECT_EQ(literal_after(c, "#define ROOT_CA_CERTIFICATE"), read_text_file(r.ca));
    EXPECT_EQ(literal_after(c, "#define CLIENT_CERTIFICATE"), read_text_file(r.cert));
    EXPECT_EQ(literal_after(c, "#define CLIENT_PRIVATE_KEY"), read_text_file(r.key));
}

TEST_F(PemToCTest, TheCArrayLayoutNamesArraysAndLengthsWithThePrefix) {
    PemToCRequest r;
    r.layout = CLayout::c_array;
    r.ca = pki_->ca().cert;
    r.cert = pki_->device().cert;
    r.key = pki_->device().key;
    r.name = "fw_creds";
    const auto c = pem_to_c(r);
    EXPECT_EQ(literal_after(c, "const char fw_creds_root_ca_pem[] ="), read_text_file(r.ca));
    EXPECT_EQ(literal_after(c, "const char fw_creds_client_cert_pem[] ="), read_text_file(r.cert));
    EXPECT_EQ(literal_after(c, "const char fw_creds_client_key_pem[] ="), read_text_file(r.key));
    EXPECT_NE(c.find("extern const size_t fw_creds_client_key_pem_len;\n"), std::string::npos);
    EXPECT_NE(c.find("const size_t fw_creds_client_key_pem_len = sizeof fw_creds_client_key_pem - 1;\n"),
              std::string::npos);
    // Only what was given.
    PemToCRequest ca_only;
    ca_only.ca = pki_->ca().cert;
    const auto public_only = pem_to_c(ca_only);
    EXPECT_EQ(public_only.find("client"), std::string::npos);
    EXPECT_EQ(public_only.find("private key"), std::string::npos);
}

TEST_F(PemToCTest, ChainsCrLfAndLongLinesComeOutAsCanonicalPem) {
    // A chain file: leaf first, then the intermediate; the key matches the leaf.
    PemToCRequest r;
    r.cert = pki_->get("device_intermediate").chain;
    r.key = pki_->get("device_intermediate").key;
    EXPECT_EQ(literal_after(pem_to_c(r), "const char hil_client_cert_pem[] ="), read_text_file(r.cert));

    // CRLF line ends and a body on one line: the output is the canonical 64-column PEM.
    const auto pem = read_text_file(pki_->ca().cert);
    std::string crlf, body;
    std::istringstream lines(pem);
    for (std::string line; std::getline(lines, line);) {
        crlf += line + "\r\n";
        if (!line.starts_with("-----")) body += line;
    }
    const auto one_line = "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
    ASSERT_GT(body.size(), 64U);
    r = {};
    r.ca = file("crlf.crt", crlf);
    EXPECT_EQ(literal_after(pem_to_c(r), "const char hil_root_ca_pem[] ="), pem);
    r.ca = file("one-line.crt", one_line);
    EXPECT_EQ(literal_after(pem_to_c(r), "const char hil_root_ca_pem[] ="), pem);
}

TEST_F(PemToCTest, SecOneAndPkcsOneKeysAreAcceptedAsTheyAre) {
    FILE *in = std::fopen(pki_->device().key.c_str(), "r");
    ASSERT_NE(in, nullptr);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_PrivateKey(in, nullptr, nullptr, nullptr), &EVP_PKEY_free);
    std::fclose(in);
    ASSERT_TRUE(key);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    ASSERT_EQ(
        PEM_write_bio_PrivateKey_traditional(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr), 1);
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    const std::string sec1(data, static_cast<std::size_t>(len));
    ASSERT_TRUE(sec1.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));

    PemToCRequest r;
    r.cert = pki_->device().cert;
    r.key = file("sec1.key", sec1);
    EXPECT_EQ(literal_after(pem_to_c(r), "const char hil_client_key_pem[] ="), sec1); // not re-encoded
}

TEST_F(PemToCTest, GarbageIsRefusedNamingTheFileAndTheProblem) {
    const auto cert = read_text_file(pki_->device().cert);
    const auto key = read_text_file(pki_->device().key);
    const auto body_line = cert.substr(cert.find('\n') + 1, 64);
    std::string cut = cert; // one base64 character less: the body no longer decodes
    cut.erase(cut.find(body_line) + 10, 1);
    std::string bad_char = cert;
    bad_char[bad_char.find(body_line) + 10] = '%';
    std::string end_mismatch = cert;
    end_mismatch.replace(end_mismatch.find("END CERTIFICATE"), 15, "END X509 CRL");
    const std::string not_x509 = "-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----\n";
    std::string encrypted;
    {
        FILE *in = std::fopen(pki_->device().key.c_str(), "r");
        std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> k(
            PEM_read_PrivateKey(in, nullptr, nullptr, nullptr), &EVP_PKEY_free);
        std::fclose(in);
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
        char pass[] = "secret";
        // The legacy form: "EC PRIVATE KEY" with Proc-Type and DEK-Info headers.
        PEM_write_bio_PrivateKey_traditional(bio.get(), k.get(), EVP_aes_128_cbc(), nullptr, 0, nullptr,
                                             pass);
        char *data = nullptr;
        const long len = BIO_get_mem_data(bio.get(), &data);
        encrypted.assign(data, static_cast<std::size_t>(len));
    }

    struct Case {
        std::string name, text, role, problem;
    };
    const std::vector<Case> cases = {
        {"empty.crt", "", "cert", "no PEM block"},
        {"truncated.crt", cert.substr(0, 300), "cert",
         "BEGIN CERTIFICATE at line 1 has no END line (truncated file?)"},
        {"cut.crt", cut, "cert", "CERTIFICATE at line 1: base64 body is cut or malformed"},
        {"bad-char.crt", bad_char, "cert", "line 2: not base64"},
        {"end-mismatch.crt", end_mismatch, "cert", "END does not match BEGIN CERTIFICATE at line 1"},
        {"not-x509.crt", not_x509, "cert", "CERTIFICATE at line 1: not a valid X.509 certificate"},
        {"key-as-cert.crt", key, "cert", "expected CERTIFICATE, found PRIVATE KEY at line 1"},
        {"text.crt", "subject=CN = device\n" + cert, "cert", "line 1: text outside a PEM block"},
        {"binary.crt", std::string("\x30\x82\x01\x0a\x02", 5), "cert", "binary data, not PEM"},
        {"cert-as-key.key", cert, "key",
         "expected a private key (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY), "
         "found CERTIFICATE at line 1"},
        {"two.key", key + key, "key", "2 PEM blocks: a key file holds exactly one private key"},
        {"encrypted.key", encrypted, "key", "Proc-Type/DEK-Info"},
    };
    const auto key_body = key.substr(key.find('\n') + 1, 40);
    for (const auto &c : cases) {
        const auto path = file(c.name, c.text);
        const auto message = c.role == "cert" ? refusal(path) : refusal({}, path);
        EXPECT_TRUE(message.starts_with(path.string() + ": ")) << c.name << ": " << message;
        EXPECT_NE(message.find(c.problem), std::string::npos) << c.name << ": " << message;
        EXPECT_EQ(message.find(key_body), std::string::npos) << c.name; // never the key's bytes
    }
    EXPECT_EQ(refusal(dir_ / "missing.crt"), (dir_ / "missing.crt").string() + ": no such file");
}

TEST_F(PemToCTest, APkcs8EncryptedKeyIsRefused) {
    FILE *in = std::fopen(pki_->device().key.c_str(), "r");
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> k(PEM_read_PrivateKey(in, nullptr, nullptr, nullptr),
                                                          &EVP_PKEY_free);
    std::fclose(in);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    char pass[] = "secret";
    ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio.get(), k.get(), EVP_aes_128_cbc(), nullptr, 0, nullptr, pass),
              1);
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    const auto path = file("pkcs8-encrypted.key", std::string(data, static_cast<std::size_t>(len)));
    EXPECT_EQ(refusal({}, path),
              path.string() +
                  ": an encrypted private key: firmware needs it unencrypted (`openssl pkey -in F "
                  "-out G`)");
}

TEST_F(PemToCTest, AKeyThatDoesNotMatchTheCertificateIsRefusedNamingBoth) {
    const auto &pair = pki_->get("device_mismatched_key");
    EXPECT_EQ(refusal(pair.cert, pair.key),
              pair.key.string() + ": does not match the certificate in " + pair.cert.string());
    EXPECT_EQ(refusal(pki_->device().cert, pki_->cloud().key), pki_->cloud().key.string() +
                                                                   ": does not match the certificate in " +
                                                                   pki_->device().cert.string());
}

TEST_F(PemToCTest, RequestsALayoutCannotTakeAreUsageErrorsBeforeAnyFileIsRead) {
    const auto usage_problem = [](const PemToCRequest &r) -> std::string {
        try {
            (void)pem_to_c(r);
        } catch (const PemInputError &e) {
            return std::string("file error: ") + e.what();
        } catch (const UsageError &e) {
            return e.what();
        }
        return "accepted";
    };
    PemToCRequest r;
    r.layout = CLayout::aws;
    r.cert = dir_ / "missing.crt";
    EXPECT_EQ(usage_problem(r), "pki to-c: --layout aws needs --cert and --key");
    r.key = dir_ / "missing.key";
    r.ca = dir_ / "missing-ca.crt";
    EXPECT_NE(usage_problem(r).find("--layout aws has no root CA macro"), std::string::npos);
    r.layout = CLayout::infineon;
    r.ca.clear();
    EXPECT_EQ(usage_problem(r), "pki to-c: --layout infineon needs --ca, --cert and --key");
    r = {};
    EXPECT_EQ(usage_problem(r), "pki to-c: give at least one of --ca, --cert, --key");
    r.ca = pki_->ca().cert;
    r.name = "9lives";
    EXPECT_EQ(usage_problem(r), "pki to-c: --name '9lives' is not a C identifier");
    r.name = "a-b";
    EXPECT_EQ(usage_problem(r), "pki to-c: --name 'a-b' is not a C identifier");
    r.name = "_ok9";
    EXPECT_EQ(usage_problem(r), "accepted");
}

} // namespace
} // namespace hil
