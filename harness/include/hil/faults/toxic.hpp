#pragma once
// Toxics: what the fault proxy does to the bytes of one direction of a link (toxiproxy's model).
// Each toxic sees every chunk in turn and decides what happens to it: forward (maybe later, maybe
// in pieces), swallow, or end the connection. A chain of toxics is applied in order.

#include "hil/core/clock.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <memory>
#include <optional>

#include <string>
#include <vector>

namespace hil::faults {

/// Client to broker (upstream) or broker to client (downstream).
enum class Direction { upstream, downstream };
[[nodiscard]] const char *to_string(Direction d);

/// A piece of data on its way, with the earliest time it may be written.
struct Segment {
    std::string data;
    Clock::time_point not_before;
};

/// What a toxic decided for one chunk.
struct Verdict {
    std::vector<Segment> forward; ///< in order; empty = swallowed
    bool close = false;           ///< close the connection after forwarding (limit_data)
    /// Why the toxic closes, when that is a refusal worth telling (tls_gate): the proxy publishes
    /// it as `proxy.refused`. Empty for closes that are the toxic's plain effect (limit_data).
    std::string reason = {};
};

class Toxic {
  public:
    virtual ~Toxic() = default;
    [[nodiscard]] virtual std::string type() const = 0;
    /// Applies the toxic to segments already decided by the toxics before it in the chain.
    virtual Verdict apply(std::vector<Segment> segments, Clock::time_point now) = 0;
    /// A fresh instance with the same settings (each connection keeps its own state).
    [[nodiscard]] virtual std::unique_ptr<Toxic> clone() const = 0;
    /// True while the toxic holds the path: the proxy stops reading this direction, so bytes
    /// wait in the kernel's buffers as on a partitioned network, and flow again when it goes.
    [[nodiscard]] virtual bool holds() const { return false; }
    /// When a holding toxic ends the connection (closes both sides), if it does.
    [[nodiscard]] virtual std::optional<Clock::time_point> closes_at() const { return std::nullopt; }
    /// Told, before its first apply(), that it joins a connection whose direction has already
    /// carried bytes: a toxic that judges the start of a stream (tls_gate) will never see it.
    virtual void joined_mid_stream() {}
};

/// A named toxic on one direction, as scenarios and the API add it.
struct ToxicSpec {
    std::string name; ///< unique on the link, for removal
    Direction direction = Direction::downstream;
    std::shared_ptr<const Toxic> prototype;
};

/// Builds a toxic from its type name and attributes (the scenario's `fault.link.add`):
///   latency {latency: ms, jitter: ms}    bandwidth {rate: bytes/s}   blackhole {} (holds the path)
///   limit_data {bytes: N} (then closes)  slicer {size: N, delay: ms}
///   timeout {timeout: ms} (holds the path, then closes; 0 = never)
///   tls_gate {server_name: SNI, alpn: protocol} (upstream: reads the TLS ClientHello, then passes
///     the connection through untouched or closes it before the broker sees a byte)
/// Throws std::invalid_argument naming the type or attribute, with the list of known types.
[[nodiscard]] std::unique_ptr<Toxic> make_toxic(const std::string &type, const nlohmann::json &attributes);

/// Known toxic type names.
[[nodiscard]] const std::vector<std::string> &toxic_types();

} // namespace hil::faults
