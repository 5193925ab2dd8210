#include "hil/console/byte_strings.hpp"
#include "hil/console/protocol.hpp"

#include <gtest/gtest.h>

namespace hil::protocol {
namespace {

TEST(Protocol, ParsesOkAnswerWithBody) {
    const auto line = parse_device_line(R"(@12 ok {"mid":3})");
    const auto *answer = std::get_if<Answer>(&line);
    ASSERT_NE(answer, nullptr);
    EXPECT_EQ(answer->id, 12u);
    EXPECT_TRUE(answer->ok);
    EXPECT_EQ(answer->body.at("mid"), 3);
}

TEST(Protocol, OkWithoutBodyIsEmptyObject) {
    const auto line = parse_device_line("@1 ok");
    const auto *answer = std::get_if<Answer>(&line);
    ASSERT_NE(answer, nullptr);
    EXPECT_TRUE(answer->body.is_object());
    EXPECT_TRUE(answer->body.empty());
}

TEST(Protocol, ErrAnswerNeedsAClass) {
    const auto good = parse_device_line(R"(@2 err {"class":"proto.bad_args","detail":"qos"})");
    ASSERT_NE(std::get_if<Answer>(&good), nullptr);
    EXPECT_FALSE(std::get<Answer>(good).ok);
    const auto bad = parse_device_line(R"(@2 err {"detail":"no class"})");
    ASSERT_NE(std::get_if<Malformed>(&bad), nullptr);
}

TEST(Protocol, ParsesEvents) {
    const auto line = parse_device_line(R"(!mqtt.connected {"session_present":false})");
    const auto *event = std::get_if<EventLine>(&line);
    ASSERT_NE(event, nullptr);
    EXPECT_EQ(event->name, "mqtt.connected");
    EXPECT_EQ(event->payload.at("session_present"), false);
}

TEST(Protocol, LogLinesAreNotInterpreted) {
    const auto line = parse_device_line("Wi-Fi: connected @ -42 dBm !");
    ASSERT_NE(std::get_if<LogLine>(&line), nullptr);
}

TEST(Protocol, MalformedProtocolLinesSayWhy) {
    struct Case {
        const char *line;
        const char *why;
    };
    for (const Case c :
         {Case{"@ ok", "id"}, Case{"@0 ok", "id"}, Case{"@1 okay", "space"},
          Case{"@1 maybe", "'ok' or 'err'"}, Case{"@1 ok {bad", "JSON"}, Case{"@1 ok [1]", "object"},
          Case{"!Bad {}", "name"}, Case{"!mqtt.connected", "body"}, Case{"@1234567890 ok", "id"}}) {
        const auto line = parse_device_line(c.line);
        const auto *bad = std::get_if<Malformed>(&line);
        ASSERT_NE(bad, nullptr) << c.line;
        EXPECT_NE(bad->why.find(c.why), std::string::npos) << c.line << " -> " << bad->why;
    }
}

TEST(Protocol, FormatsRequests) {
    EXPECT_EQ(format_request(7, "sys.info", nlohmann::json::object()), "@7 sys.info");
    EXPECT_EQ(format_request(8, "mqtt.publish", {{"qos", 1}, {"topic", "a/b"}}),
              R"(@8 mqtt.publish {"qos":1,"topic":"a/b"})");
    // Non-ASCII travels escaped, one \u00XX per byte: "é" is the two bytes C3 A9 (§7.6).
    EXPECT_EQ(format_request(9, "x", {{"p", "\xc3\xa9"}}), R"(@9 x {"p":"\u00c3\u00a9"})");
    EXPECT_THROW((void)format_request(1, "Bad Name", {}), std::invalid_argument);
}

} // namespace
} // namespace hil::protocol

namespace hil::protocol {
namespace {

// PROTOCOL.md §7.6: strings are byte strings, \u0000-\u00ff one byte each.
TEST(ByteStrings, UnicodeTextTravelsAsItsUtf8Bytes) {
    const auto line = format_request(3, "mqtt.publish", {{"payload", "21 °C ✓"}});
    EXPECT_EQ(line, R"(@3 mqtt.publish {"payload":"21 \u00c2\u00b0C \u00e2\u009c\u0093"})");
}

TEST(ByteStrings, DeviceBytesBecomeUtf8TextAgain) {
    const auto parsed =
        parse_device_line(R"(!mqtt.message {"payload":"21 \u00c2\u00b0C \u00e2\u009c\u0093"})");
    ASSERT_TRUE(std::holds_alternative<EventLine>(parsed));
    EXPECT_EQ(std::get<EventLine>(parsed).payload["payload"], "21 °C ✓");
}

TEST(ByteStrings, BytesThatAreNotUtf8StayAsCodePoints) {
    // 0xE9 alone is Latin-1 "é", not UTF-8: kept as U+00E9 so no string ever holds invalid UTF-8.
    EXPECT_EQ(from_byte_string("caf\u00e9"), "caf\u00e9");
    EXPECT_EQ(from_byte_string("\u00c3\u00a9"), "\u00e9");
    EXPECT_EQ(from_byte_string("\u00e2\u0082"), "\u00e2\u0082"); // a truncated 3-byte sequence
    EXPECT_EQ(from_byte_string(to_byte_string("日本語 €")), "日本語 €");
    EXPECT_EQ(to_byte_string("ascii"), "ascii");
}

TEST(ByteStrings, NestedValuesAndKeys) {
    const nlohmann::json args = {{"state", {{"reported", {{"name", "Küche"}}}}}, {"list", {"é", 1}}};
    const auto there = to_byte_strings(args);
    EXPECT_EQ(there["state"]["reported"]["name"], "K\u00c3\u00bcche");
    EXPECT_EQ(from_byte_strings(there), args);
}

} // namespace
} // namespace hil::protocol
