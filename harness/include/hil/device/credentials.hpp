#pragma once
// Puts PEM credentials into a device's RAM slots over the console (cred.write in chunks, each
// answer echoing size and CRC-32, then cred.commit with the CRC of the whole), so TLS scenarios
// switch identities without reflashing. Requests are marked secret: key material never reaches
// events.jsonl or the console transcript.

#include "hil/device/device_session.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace hil {

/// The slots the benches use for a device's own identity.
struct CredentialSlots {
    int ca = 0;
    int cert = 1;
    int key = 2;
};

/// Data bytes per cred.write request: with JSON escaping of newlines the line stays under 512.
inline constexpr std::size_t kCredentialChunk = 256;

/// CRC-32/ISO-HDLC (the zlib CRC) of `data`.
[[nodiscard]] std::uint32_t crc32(std::string_view data);

/// Uploads `pem` into `slot` and commits it. Throws InfraError naming the slot and the device's
/// answer if a chunk is refused, an echo disagrees, or an answer is late.
void upload_credential(DeviceSession &device, int slot, std::string_view pem, Deadline deadline);

} // namespace hil
