#include "hil/device/credentials.hpp"

#include "hil/core/error.hpp"

#include <array>
#include <cstdio>

namespace hil {

std::uint32_t crc32(std::string_view data) {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t crc = 0xFFFFFFFFU;
    for (const char ch : data) crc = table[(crc ^ static_cast<unsigned char>(ch)) & 0xFFU] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFU;
}

namespace {
std::string hex8(std::uint32_t value) {
    char buf[12];
    std::snprintf(buf, sizeof buf, "%08x", value);
    return buf;
}

protocol::Answer require_ok(DeviceSession &device, std::string_view command, const nlohmann::json &args,
                            Deadline deadline, Secrecy secrecy, int slot) {
    const auto answer = device.request(command, args, deadline, secrecy);
    const std::string where = "device '" + device.name() + "' slot " + std::to_string(slot);
    if (!answer)
        throw InfraError(where + ": no answer to " + std::string(command), device.console_log().string());
    if (!answer->ok) {
        throw InfraError(where + ": " + std::string(command) + " refused: " +
                             answer->body.value("class", "?") + " " + answer->body.value("detail", ""),
                         device.console_log().string());
    }
    return *answer;
}
} // namespace

void upload_credential(DeviceSession &device, int slot, std::string_view pem, Deadline deadline) {
    for (std::size_t offset = 0; offset < pem.size(); offset += kCredentialChunk) {
        const auto chunk = pem.substr(offset, kCredentialChunk);
        const auto answer =
            require_ok(device, "cred.write", {{"slot", slot}, {"offset", offset}, {"data", chunk}}, deadline,
                       Secrecy::secret, slot);
        // The echo proves the device stored exactly what was sent so far.
        const std::size_t stored = offset + chunk.size();
        const std::string expected_crc = hex8(crc32(pem.substr(0, stored)));
        if (answer.body.value("size", std::size_t{0}) != stored ||
            answer.body.value("crc32", "") != expected_crc) {
            throw InfraError("device '" + device.name() + "' slot " + std::to_string(slot) + ": echo " +
                                 answer.body.dump() + " after " + std::to_string(stored) +
                                 " bytes, expected crc32 " + expected_crc,
                             device.console_log().string());
        }
    }
    (void)require_ok(device, "cred.commit", {{"slot", slot}, {"crc32", hex8(crc32(pem))}}, deadline,
                     Secrecy::none, slot);
}

} // namespace hil
