#pragma once
// Splits a console byte stream into protocol lines (firmware/PROTOCOL.md §1, §6): '\n' ends a
// line, a '\r' before it is dropped, lines with bytes outside printable ASCII/TAB are garbage,
// lines longer than the maximum are overlong. Neither is fatal: both are reported and skipped.
// Pure (no I/O), so it is unit-tested and benchmarked on its own.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace hil {

/// Protocol maximum line length in bytes, without the terminator (PROTOCOL.md §1).
inline constexpr std::size_t kMaxLineLength = 512;

struct FramedLine {
    enum class Kind { line, garbage, overlong };
    Kind kind = Kind::line;
    /// line: the text. garbage: the line with bad bytes escaped as \xNN (truncated to 128 bytes).
    /// overlong: the first 64 bytes.
    std::string text;
    std::size_t bytes = 0; ///< length of the original line without the terminator
};

class LineFramer {
  public:
    using Sink = std::function<void(const FramedLine &)>;
    explicit LineFramer(Sink sink, std::size_t max_line = kMaxLineLength);

    /// Feeds bytes; calls the sink for every line completed by them.
    void feed(std::string_view bytes);
    /// Reports a pending partial line (console closed) as a line of its own.
    void flush();

  private:
    void finish_line();

    Sink sink_;
    std::size_t max_line_;
    std::string current_;
    std::size_t length_ = 0; // bytes of the current line, including those not kept
    bool has_garbage_ = false;
    bool overlong_ = false;
};

} // namespace hil
