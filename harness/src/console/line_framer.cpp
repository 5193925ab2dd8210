#include "hil/console/line_framer.hpp"

#include <cstdio>

namespace hil {

namespace {
bool is_text_byte(unsigned char c) {
    return (c >= 0x20 && c <= 0x7e) || c == '\t';
}

std::string escape_for_report(std::string_view raw, std::size_t limit) {
    std::string out;
    for (const char ch : raw) {
        if (out.size() >= limit) break;
        const auto c = static_cast<unsigned char>(ch);
        if (is_text_byte(c) && c != '\\') {
            out.push_back(ch);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
    }
    return out;
}
} // namespace

LineFramer::LineFramer(Sink sink, std::size_t max_line) : sink_(std::move(sink)), max_line_(max_line) {
    current_.reserve(max_line_ + 1);
}

void LineFramer::feed(std::string_view bytes) {
    for (const char ch : bytes) {
        if (ch == '\n') {
            finish_line();
            continue;
        }
        ++length_;
        // Keep one byte beyond the limit so a trailing '\r' on a maximal line can be dropped.
        if (current_.size() <= max_line_) {
            current_.push_back(ch);
        } else {
            overlong_ = true;
        }
        const auto c = static_cast<unsigned char>(ch);
        if (!is_text_byte(c) && c != '\r') has_garbage_ = true;
    }
}

void LineFramer::flush() {
    if (length_ > 0) finish_line();
}

void LineFramer::finish_line() {
    FramedLine line;
    if (!current_.empty() && current_.back() == '\r' && !overlong_) {
        current_.pop_back();
        --length_;
    }
    line.bytes = length_;
    // A '\r' anywhere else is a control byte like any other.
    for (const char ch : current_) {
        if (ch == '\r') has_garbage_ = true;
    }
    if (overlong_ || current_.size() > max_line_) {
        line.kind = FramedLine::Kind::overlong;
        line.text = escape_for_report(current_, 64);
    } else if (has_garbage_) {
        line.kind = FramedLine::Kind::garbage;
        line.text = escape_for_report(current_, 128);
    } else {
        line.kind = FramedLine::Kind::line;
        line.text = current_;
    }
    current_.clear();
    length_ = 0;
    has_garbage_ = false;
    overlong_ = false;
    sink_(line);
}

} // namespace hil
