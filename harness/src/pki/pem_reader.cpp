#include "pem_reader.hpp"

#include "hil/pki/pem_to_c.hpp"

#include <openssl/pem.h>

#include <array>
#include <fstream>
#include <sstream>

namespace hil::pki {

namespace {

constexpr std::size_t kMaxFileBytes = 1 << 20; // a credential file is a few KiB; this is something else
constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";
constexpr std::array<std::string_view, 3> kKeyLabels = {"PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"};

[[noreturn]] void bad(const std::filesystem::path &file, const std::string &problem) {
    ERR_clear_error();
    throw PemInputError(file.string() + ": " + problem);
}

std::string at_line(int line) {
    return "line " + std::to_string(line);
}

/// The label of a "-----BEGIN X-----" / "-----END X-----" line, or "" if `line` is not one.
std::string boundary_label(std::string_view line, std::string_view prefix) {
    if (line.size() <= prefix.size() + kDashes.size() || line.substr(0, prefix.size()) != prefix ||
        line.substr(line.size() - kDashes.size()) != kDashes) {
        return "";
    }
    return std::string(line.substr(prefix.size(), line.size() - prefix.size() - kDashes.size()));
}

/// Labels come from the file: shown only when short and printable, so that garbage (or a
/// mangled key) is never echoed.
std::string shown(const std::string &label) {
    if (label.size() > 40) return "an unknown block";
    for (const unsigned char ch : label) {
        if (ch < 0x20 || ch > 0x7e) return "an unknown block";
    }
    return label;
}

bool is_base64_char(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '=';
}

std::string read_file(const std::filesystem::path &file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) bad(file, "no such file");
    if (std::filesystem::file_size(file, ec) > kMaxFileBytes)
        bad(file, "larger than 1 MiB: not a PEM credential");
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) bad(file, "cannot read");
    return text.str();
}

std::vector<PemBlock> split_blocks(const std::filesystem::path &file, const std::string &text) {
    for (const unsigned char c : text) {
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
            bad(file, "binary data, not PEM (DER? convert it with `openssl x509|pkey -outform PEM`)");
        }
    }
    std::vector<PemBlock> blocks;
    std::istringstream lines(text);
    std::string raw;
    int number = 0;
    PemBlock *open = nullptr;
    while (std::getline(lines, raw)) {
        ++number;
        std::string_view line(raw);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
            line.remove_suffix(1);
        }
        if (open == nullptr) {
            if (line.empty()) continue;
            const auto label = boundary_label(line, kBegin);
            if (label.empty()) bad(file, at_line(number) + ": text outside a PEM block");
            blocks.push_back({label, "", number});
            open = &blocks.back();
            continue;
        }
        if (line.substr(0, kEnd.size()) == kEnd) {
            const auto label = boundary_label(line, kEnd);
            if (label != open->label) {
                bad(file, at_line(number) + ": END does not match BEGIN " + shown(open->label) + " at " +
                              at_line(open->line));
            }
            open = nullptr;
            continue;
        }
        if (line.substr(0, kBegin.size()) == kBegin) {
            bad(file, at_line(number) + ": BEGIN inside " + shown(open->label) + " of " +
                          at_line(open->line) + " (its END line is missing)");
        }
        if (line.find(':') != std::string_view::npos) {
            bad(file, at_line(number) + ": PEM header (Proc-Type/DEK-Info: an encrypted key?); " +
                          "firmware needs the plain PEM");
        }
        for (const unsigned char c : line) {
            if (!is_base64_char(c)) bad(file, at_line(number) + ": not base64");
        }
        open->base64 += line;
    }
    if (open != nullptr) {
        bad(file, "BEGIN " + shown(open->label) + " at " + at_line(open->line) +
                      " has no END line (truncated file?)");
    }
    if (blocks.empty()) bad(file, "no PEM block (empty file?)");
    return blocks;
}

std::string decode_base64(const std::filesystem::path &file, const PemBlock &block) {
    const std::string &b64 = block.base64;
    const auto where = shown(block.label) + " at " + at_line(block.line);
    const auto pad_at = b64.find('=');
    const std::size_t padding = pad_at == std::string::npos ? 0 : b64.size() - pad_at;
    if (b64.empty() || b64.size() % 4 != 0 || padding > 2 ||
        (pad_at != std::string::npos && b64.find_first_not_of('=', pad_at) != std::string::npos)) {
        bad(file, where + ": base64 body is cut or malformed (truncated file?)");
    }
    std::string der(b64.size() / 4 * 3, '\0');
    const int n =
        EVP_DecodeBlock(reinterpret_cast<unsigned char *>(der.data()),
                        reinterpret_cast<const unsigned char *>(b64.data()), static_cast<int>(b64.size()));
    if (n < 0) bad(file, where + ": base64 does not decode");
    der.resize(static_cast<std::size_t>(n) - padding);
    return der;
}

ossl::Cert parse_certificate(const std::filesystem::path &file, const PemBlock &block) {
    if (block.label != "CERTIFICATE") {
        const bool key = block.label.find("PRIVATE KEY") != std::string::npos;
        bad(file, "expected CERTIFICATE, found " + shown(block.label) + " at " + at_line(block.line) +
                      (key ? " (a key given as a certificate?)" : ""));
    }
    const auto der = decode_base64(file, block);
    const auto *p = reinterpret_cast<const unsigned char *>(der.data());
    ossl::Cert cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert || p != reinterpret_cast<const unsigned char *>(der.data()) + der.size()) {
        bad(file, "CERTIFICATE at " + at_line(block.line) + ": not a valid X.509 certificate (truncated?)");
    }
    return cert;
}

int no_passphrase(char * /*buf*/, int /*size*/, int /*rwflag*/, void * /*u*/) {
    return -1;
}

ossl::Key parse_key(const std::filesystem::path &file, const PemBlock &block) {
    if (block.label == "ENCRYPTED PRIVATE KEY") {
        bad(file, "an encrypted private key: firmware needs it unencrypted (`openssl pkey -in F -out G`)");
    }
    bool known = false;
    for (const auto label : kKeyLabels) known = known || block.label == label;
    if (!known) {
        bad(file, "expected a private key (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY), found " +
                      shown(block.label) + " at " + at_line(block.line));
    }
    (void)decode_base64(file, block); // a precise message for a cut body, before OpenSSL's generic one
    std::string pem;
    for (const auto &line : pem_lines(block)) pem += line;
    ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    ossl::Key key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
    if (!key) bad(file, shown(block.label) + " at " + at_line(block.line) + ": not a valid private key");
    return key;
}

} // namespace

std::vector<std::string> pem_lines(const PemBlock &block) {
    std::vector<std::string> lines;
    lines.push_back(std::string(kBegin) + block.label + std::string(kDashes) + "\n");
    for (std::size_t i = 0; i < block.base64.size(); i += 64)
        lines.push_back(block.base64.substr(i, 64) + "\n");
    lines.push_back(std::string(kEnd) + block.label + std::string(kDashes) + "\n");
    return lines;
}

PemInput read_pem_input(const std::filesystem::path &file, PemRole role) {
    PemInput in;
    in.file = file;
    in.blocks = split_blocks(file, read_file(file));
    if (role == PemRole::certificates) {
        for (const auto &block : in.blocks) in.certs.push_back(parse_certificate(file, block));
    } else {
        if (in.blocks.size() != 1) {
            bad(file,
                std::to_string(in.blocks.size()) + " PEM blocks: a key file holds exactly one private key");
        }
        in.key = parse_key(file, in.blocks.front());
    }
    return in;
}

} // namespace hil::pki
