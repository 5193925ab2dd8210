#include "hil/device/device_session.hpp"

#include "hil/console/line_framer.hpp"
#include "hil/core/error.hpp"

#include <array>

namespace hil {

DeviceSession::DeviceSession(std::string name, std::unique_ptr<Console> console, EventBus &bus,
                             const std::filesystem::path &console_log, std::string context)
    : name_(std::move(name)), context_(std::move(context)), console_(std::move(console)), bus_(bus),
      log_path_(console_log) {
    std::filesystem::create_directories(log_path_.parent_path());
    log_.open(log_path_, std::ios::app);
    reader_ = std::thread([this] { read_loop(); });
}

DeviceSession::~DeviceSession() {
    stopping_.store(true);
    console_->interrupt();
    if (reader_.joinable()) reader_.join();
}

void DeviceSession::publish(std::string kind, nlohmann::json payload, Source source) {
    bus_.publish(source, name_, std::move(kind), std::move(payload), context_);
}

void DeviceSession::transcript(char direction, std::string_view text) {
    const std::lock_guard lock(log_mutex_);
    const auto ms = std::chrono::duration<double, std::milli>(Clock::now() - bus_.started()).count();
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "[%10.3f] %c ", ms, direction);
    log_ << stamp << text << '\n';
    log_.flush();
}

void DeviceSession::read_loop() {
    LineFramer framer([this](const FramedLine &line) {
        switch (line.kind) {
        case FramedLine::Kind::line: handle_line(line.text); break;
        case FramedLine::Kind::garbage:
            transcript('?', line.text);
            publish(console_kind::garbage, {{"text", line.text}, {"bytes", line.bytes}});
            break;
        case FramedLine::Kind::overlong:
            transcript('?', line.text + "... (overlong)");
            publish(console_kind::overlong, {{"text", line.text}, {"bytes", line.bytes}});
            break;
        }
    });
    std::array<char, 4096> buffer{};
    while (!stopping_.load()) {
        // The deadline only bounds one read; interrupt() ends it early at shutdown.
        const long got = console_->read_some(buffer, Deadline::at(Clock::now() + std::chrono::seconds(1)));
        if (got < 0) {
            framer.flush();
            publish(console_kind::closed, {{"console", console_->describe()}});
            return;
        }
        if (got > 0) framer.feed(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
    }
}

void DeviceSession::handle_line(const std::string &text) {
    transcript('<', text);
    auto parsed = protocol::parse_device_line(text);
    if (auto *answer = std::get_if<protocol::Answer>(&parsed)) {
        publish(console_kind::answer,
                {{"id", answer->id}, {"ok", answer->ok}, {"body", std::move(answer->body)}});
    } else if (auto *event = std::get_if<protocol::EventLine>(&parsed)) {
        publish(event->name, std::move(event->payload));
    } else if (auto *log = std::get_if<protocol::LogLine>(&parsed)) {
        publish(console_kind::line, {{"text", log->text}});
    } else if (auto *bad = std::get_if<protocol::Malformed>(&parsed)) {
        publish(console_kind::malformed, {{"text", bad->text}, {"why", bad->why}});
    }
}

namespace {
nlohmann::json redacted(const nlohmann::json &args) {
    nlohmann::json out = args;
    for (auto &[key, value] : out.items()) {
        if (value.is_string())
            value = "<redacted " + std::to_string(value.get<std::string>().size()) + " bytes>";
    }
    return out;
}
} // namespace

std::optional<protocol::Answer> DeviceSession::request(std::string_view command, const nlohmann::json &args,
                                                       Deadline deadline, Secrecy secrecy) {
    const std::uint64_t id = next_id_.fetch_add(1);
    const std::string line = protocol::format_request(id, command, args);
    if (line.size() > kMaxLineLength) {
        throw InfraError("request '" + std::string(command) + "' is " + std::to_string(line.size()) +
                         " bytes, over the protocol's line limit of " + std::to_string(kMaxLineLength));
    }
    // What is recorded: secrets never reach events.jsonl or the transcript.
    const nlohmann::json recorded_args = secrecy == Secrecy::secret ? redacted(args) : args;
    const std::uint64_t from = bus_.next_seq();
    publish(console_kind::request, {{"id", id}, {"command", command}, {"args", recorded_args}},
            Source::harness);
    {
        const std::lock_guard lock(write_mutex_);
        transcript('>',
                   secrecy == Secrecy::secret ? protocol::format_request(id, command, recorded_args) : line);
        console_->write(line + "\n", deadline);
    }
    const auto answer = bus_.wait_for(
        from,
        [&](const Event &e) {
            return e.context == context_ && e.origin == name_ && e.kind == console_kind::answer &&
                   e.payload.value("id", 0ULL) == id;
        },
        deadline);
    if (!answer) return std::nullopt;
    protocol::Answer out;
    out.id = id;
    out.ok = answer->payload.at("ok").get<bool>();
    out.body = answer->payload.at("body");
    return out;
}

DeviceIdentity DeviceSession::await_boot(std::uint64_t from, Deadline deadline) {
    const auto boot = bus_.wait_for(
        from,
        [&](const Event &e) { return e.context == context_ && e.origin == name_ && e.kind == "sys.boot"; },
        deadline);
    if (!boot) {
        throw InfraError("device '" + name_ + "' printed no boot banner (!sys.boot) on " + describe() +
                             " before the deadline",
                         log_path_.string());
    }
    DeviceIdentity id;
    const auto &p = boot->payload;
    id.fw = p.value("fw", "");
    id.version = p.value("version", "");
    id.build_id = p.value("build_id", "");
    id.board = p.value("board", "");
    id.protocol = p.value("protocol", -1);
    if (id.protocol < protocol::kMinVersion || id.protocol > protocol::kMaxVersion) {
        throw InfraError("device '" + name_ + "' speaks console protocol " + std::to_string(id.protocol) +
                             ", this harness speaks " + std::to_string(protocol::kMinVersion) + " to " +
                             std::to_string(protocol::kMaxVersion),
                         log_path_.string());
    }
    return id;
}

} // namespace hil
