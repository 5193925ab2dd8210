#include "hil/core/event_bus.hpp"

#include "hil/core/error.hpp"

#include <fstream>
#include <memory>

namespace hil {

const char *to_string(Source source) {
    switch (source) {
    case Source::device: return "device";
    case Source::cloud: return "cloud";
    case Source::broker: return "broker";
    case Source::harness: return "harness";
    }
    return "harness";
}

std::string to_jsonl(const Event &event, Clock::time_point run_start) {
    const auto mono = std::chrono::duration<double, std::milli>(event.at - run_start).count();
    nlohmann::json line = {{"seq", event.seq},
                           {"time", event.wall},
                           {"mono_ms", std::round(mono * 1000) / 1000},
                           {"source", to_string(event.source)},
                           {"origin", event.origin},
                           {"kind", event.kind},
                           {"payload", event.payload}};
    if (!event.context.empty()) line["scenario"] = event.context;
    // Replace invalid UTF-8 (garbage from a UART) instead of throwing.
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

EventBus::EventBus() : started_(Clock::now()) {}

void EventBus::add_sink(Sink sink) {
    const std::lock_guard lock(mutex_);
    sinks_.push_back(std::move(sink));
}

std::uint64_t EventBus::publish(Source source, std::string origin, std::string kind, nlohmann::json payload,
                                std::string context) {
    std::uint64_t seq = 0;
    {
        const std::lock_guard lock(mutex_);
        Event event;
        event.seq = history_.size() + 1;
        event.at = Clock::now();
        event.wall = utc_timestamp();
        event.source = source;
        event.origin = std::move(origin);
        event.kind = std::move(kind);
        event.payload = std::move(payload);
        event.context = std::move(context);
        history_.push_back(std::move(event));
        seq = history_.back().seq;
        // Sinks run under the lock so every sink sees the same total order.
        for (const auto &sink : sinks_) sink(history_.back());
    }
    changed_.notify_all();
    return seq;
}

std::uint64_t EventBus::next_seq() const {
    const std::lock_guard lock(mutex_);
    return history_.size() + 1;
}

std::optional<Event> EventBus::wait_for(std::uint64_t from, const Predicate &match, Deadline deadline) {
    std::unique_lock lock(mutex_);
    std::uint64_t cursor = from == 0 ? 1 : from;
    for (;;) {
        if (cancelled_) throw Cancelled();
        for (; cursor <= history_.size(); ++cursor) {
            const Event &event = history_[cursor - 1];
            if (match(event)) return event;
        }
        if (deadline.expired()) return std::nullopt;
        changed_.wait_until(lock, deadline.when());
    }
}

std::vector<Event> EventBus::snapshot(std::uint64_t from, std::uint64_t to, const Predicate &filter) const {
    const std::lock_guard lock(mutex_);
    std::vector<Event> out;
    const std::uint64_t end =
        to == 0 ? history_.size() + 1 : std::min<std::uint64_t>(to, history_.size() + 1);
    for (std::uint64_t seq = from == 0 ? 1 : from; seq < end; ++seq) {
        const Event &event = history_[seq - 1];
        if (!filter || filter(event)) out.push_back(event);
    }
    return out;
}

void EventBus::cancel() {
    {
        const std::lock_guard lock(mutex_);
        cancelled_ = true;
    }
    changed_.notify_all();
}

bool EventBus::cancelled() const {
    const std::lock_guard lock(mutex_);
    return cancelled_;
}

void record_events(EventBus &bus, const std::filesystem::path &file) {
    auto out = std::make_shared<std::ofstream>(file, std::ios::trunc);
    if (!*out) throw InfraError("cannot write the event log " + file.string());
    bus.add_sink([out, &bus](const Event &e) {
        *out << to_jsonl(e, bus.started()) << '\n';
        out->flush();
    });
}

} // namespace hil
