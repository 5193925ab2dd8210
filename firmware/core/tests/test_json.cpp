// hil_json writer (escaping, sticky errors, fit) and reader (types, missing, syntax).
#include "hil_json.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <utility>

namespace {

// Keeps the text alive as long as the object view into it.
struct Doc {
    explicit Doc(std::string t) : text(std::move(t)) {
        EXPECT_EQ(hil_json_obj_init(&obj, text.data(), text.size()), HIL_JSON_OK) << text;
    }
    std::string text;
    hil_json_obj_t obj{};
};

} // namespace

TEST(JsonWriter, test_hil_json_add_string_Escaping) {
    char buf[256];
    hil_json_writer_t w;
    ASSERT_EQ(hil_json_writer_init(&w, buf, sizeof(buf)), HIL_JSON_OK);
    const char raw[] = "q\"b\\n\nt\tc\x01\x7f\xff";
    hil_json_add_string_n(&w, "s", raw, sizeof(raw) - 1);
    size_t len = 0;
    ASSERT_EQ(hil_json_writer_finish(&w, &len), HIL_JSON_OK);
    EXPECT_STREQ(buf, R"({"s":"q\"b\\n\nt\tc\u0001\u007f\u00ff"})");
    EXPECT_EQ(len, strlen(buf));
}

TEST(JsonWriter, test_hil_json_writer_AllTypes) {
    char buf[256];
    hil_json_writer_t w;
    hil_json_writer_init(&w, buf, sizeof(buf));
    hil_json_add_string(&w, "a", "x");
    hil_json_add_int(&w, "i", -42);
    hil_json_add_int(&w, "min", INT64_MIN);
    hil_json_add_int(&w, "z", 0);
    hil_json_add_bool(&w, "t", true);
    hil_json_add_bool(&w, "f", false);
    hil_json_add_raw(&w, "r", "[1,2]");
    ASSERT_EQ(hil_json_writer_finish(&w, nullptr), HIL_JSON_OK);
    EXPECT_STREQ(buf, R"({"a":"x","i":-42,"min":-9223372036854775808,"z":0,"t":true,"f":false,"r":[1,2]})");
}

TEST(JsonWriter, test_hil_json_writer_EmptyObject) {
    char buf[3];
    hil_json_writer_t w;
    hil_json_writer_init(&w, buf, sizeof(buf));
    EXPECT_EQ(hil_json_writer_finish(&w, nullptr), HIL_JSON_OK);
    EXPECT_STREQ(buf, "{}");
}

TEST(JsonWriter, test_hil_json_writer_NoSpaceIsSticky) {
    char buf[12];
    hil_json_writer_t w;
    hil_json_writer_init(&w, buf, sizeof(buf));
    EXPECT_EQ(hil_json_add_string(&w, "key", "too long for this"), HIL_JSON_NO_SPACE);
    EXPECT_EQ(hil_json_add_int(&w, "a", 1), HIL_JSON_NO_SPACE);
    EXPECT_EQ(hil_json_writer_finish(&w, nullptr), HIL_JSON_NO_SPACE);
    EXPECT_LT(strlen(buf), sizeof(buf));
}

TEST(JsonWriter, test_hil_json_add_string_fit_NeverCutsAnEscape) {
    char buf[24];
    hil_json_writer_t w;
    hil_json_writer_init(&w, buf, sizeof(buf));
    size_t taken = 0;
    const char payload[] = "abcdefgh\x01\x01\x01";
    // {"p":" = 6 bytes; reserve 1 for '}'.
    ASSERT_EQ(hil_json_add_string_fit(&w, "p", payload, sizeof(payload) - 1, 1, &taken), HIL_JSON_OK);
    ASSERT_EQ(hil_json_writer_finish(&w, nullptr), HIL_JSON_OK);
    EXPECT_EQ(taken, 9u); // 8 letters + one \u0001 (6 bytes) = 14 + 6 + quote + brace
    EXPECT_STREQ(buf, R"({"p":"abcdefgh\u0001"})");
}

TEST(JsonWriter, test_hil_json_escape_Plain) {
    char out[16];
    size_t n = 0;
    EXPECT_EQ(hil_json_escape("a\"b", 3, out, sizeof(out), &n), HIL_JSON_OK);
    EXPECT_STREQ(out, R"("a\"b")");
    EXPECT_EQ(n, 6u);
    EXPECT_EQ(hil_json_escape("abcdefghijklmnop", 16, out, sizeof(out), &n), HIL_JSON_NO_SPACE);
}

TEST(JsonWriter, test_hil_json_writer_NullBuffer) {
    hil_json_writer_t w;
    EXPECT_EQ(hil_json_writer_init(&w, nullptr, 10), HIL_JSON_BAD_PARAM);
    EXPECT_EQ(hil_json_add_int(&w, "a", 1), HIL_JSON_BAD_PARAM);
}

TEST(JsonReader, test_hil_json_obj_init_Syntax) {
    hil_json_obj_t obj;
    const char *good[] = {"{}", " { } ", R"({"a":[1,{"b":null}],"c":-1.5e3,"d":"\u00e9\n"})"};
    for (const char *t : good) {
        EXPECT_EQ(hil_json_obj_init(&obj, t, strlen(t)), HIL_JSON_OK) << t;
    }
    const char *bad[] = {
        "",           "[]",         "{",           "{\"a\"}", "{\"a\":}",        "{\"a\":1,}",
        "{a:1}",      "{\"a\":01}", "{\"a\":tru}", "{} x",    "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}",
        "{\"a\":1.}", "{\"a\":-}"};
    for (const char *t : bad) {
        EXPECT_EQ(hil_json_obj_init(&obj, t, strlen(t)), HIL_JSON_SYNTAX) << t;
    }
}

TEST(JsonReader, test_hil_json_obj_init_TooDeep) {
    std::string deep = R"({"a":)" + std::string(20, '[') + std::string(20, ']') + "}";
    hil_json_obj_t obj;
    EXPECT_EQ(hil_json_obj_init(&obj, deep.data(), deep.size()), HIL_JSON_TOO_DEEP);
}

TEST(JsonReader, test_hil_json_get_Types) {
    Doc doc(R"({"s":"h\u00e9\"\u20ac","i":-12,"b":false,"t":true,"n":null,"f":1.5})");
    const hil_json_obj_t *obj = &doc.obj;
    char s[16];
    size_t len = 0;
    ASSERT_EQ(hil_json_get_string(obj, "s", s, sizeof(s), &len), HIL_JSON_OK);
    EXPECT_EQ(std::string(s, len), "h\xe9\"\xe2\x82\xac");
    int64_t i = 0;
    ASSERT_EQ(hil_json_get_int(obj, "i", &i), HIL_JSON_OK);
    EXPECT_EQ(i, -12);
    bool b = true;
    ASSERT_EQ(hil_json_get_bool(obj, "b", &b), HIL_JSON_OK);
    EXPECT_FALSE(b);
    ASSERT_EQ(hil_json_get_bool(obj, "t", &b), HIL_JSON_OK);
    EXPECT_TRUE(b);
}

TEST(JsonReader, test_hil_json_get_WrongTypeAndMissing) {
    Doc doc(R"({"s":"x","i":3,"f":1.5,"e":1e3,"n":null})");
    const hil_json_obj_t *obj = &doc.obj;
    int64_t i = 0;
    bool b = false;
    char s[8];
    EXPECT_EQ(hil_json_get_int(obj, "s", &i), HIL_JSON_WRONG_TYPE);
    EXPECT_EQ(hil_json_get_int(obj, "f", &i), HIL_JSON_WRONG_TYPE);
    EXPECT_EQ(hil_json_get_int(obj, "e", &i), HIL_JSON_WRONG_TYPE);
    EXPECT_EQ(hil_json_get_bool(obj, "i", &b), HIL_JSON_WRONG_TYPE);
    EXPECT_EQ(hil_json_get_string(obj, "i", s, sizeof(s), nullptr), HIL_JSON_WRONG_TYPE);
    EXPECT_EQ(hil_json_get_string(obj, "n", s, sizeof(s), nullptr), HIL_JSON_WRONG_TYPE);
    EXPECT_EQ(hil_json_get_int(obj, "missing", &i), HIL_JSON_NOT_FOUND);
    EXPECT_EQ(hil_json_get_int(obj, "I", &i), HIL_JSON_NOT_FOUND);
}

TEST(JsonReader, test_hil_json_get_int_Range) {
    Doc doc(R"({"max":9223372036854775807,"min":-9223372036854775808,)"
            R"("over":9223372036854775808,"under":-9223372036854775809})");
    const hil_json_obj_t *obj = &doc.obj;
    int64_t v = 0;
    ASSERT_EQ(hil_json_get_int(obj, "max", &v), HIL_JSON_OK);
    EXPECT_EQ(v, INT64_MAX);
    ASSERT_EQ(hil_json_get_int(obj, "min", &v), HIL_JSON_OK);
    EXPECT_EQ(v, INT64_MIN);
    EXPECT_EQ(hil_json_get_int(obj, "over", &v), HIL_JSON_RANGE);
    EXPECT_EQ(hil_json_get_int(obj, "under", &v), HIL_JSON_RANGE);
}

TEST(JsonReader, test_hil_json_get_string_NoSpaceAndNul) {
    Doc doc(R"({"s":"abcdef","z":"a\u0000b"})");
    const hil_json_obj_t *obj = &doc.obj;
    char small[4];
    EXPECT_EQ(hil_json_get_string(obj, "s", small, sizeof(small), nullptr), HIL_JSON_NO_SPACE);
    char s[8];
    size_t len = 0;
    ASSERT_EQ(hil_json_get_string(obj, "z", s, sizeof(s), &len), HIL_JSON_OK);
    EXPECT_EQ(len, 3u);
    EXPECT_EQ(std::string(s, len), std::string("a\0b", 3));
}

TEST(JsonReader, test_hil_json_get_SkipsNestedValuesAndEscapedKeys) {
    Doc doc(R"({ "x" : {"port":1} , "p\u006frt" : 7 , "raw": [1, 2] })");
    const hil_json_obj_t *obj = &doc.obj;
    int64_t v = 0;
    ASSERT_EQ(hil_json_get_int(obj, "port", &v), HIL_JSON_OK);
    EXPECT_EQ(v, 7);
    const char *raw = nullptr;
    size_t len = 0;
    ASSERT_EQ(hil_json_get_raw(obj, "raw", &raw, &len), HIL_JSON_OK);
    EXPECT_EQ(std::string(raw, len), "[1, 2]");
    ASSERT_EQ(hil_json_get_raw(obj, "x", &raw, &len), HIL_JSON_OK);
    EXPECT_EQ(std::string(raw, len), R"({"port":1})");
}

TEST(JsonReader, test_hil_json_roundtrip_WriterThenReader) {
    std::string bytes;
    for (int b = 0; b < 256; b++) {
        bytes.push_back(static_cast<char>(b));
    }
    char buf[2048];
    hil_json_writer_t w;
    hil_json_writer_init(&w, buf, sizeof(buf));
    hil_json_add_string_n(&w, "p", bytes.data(), bytes.size());
    size_t len = 0;
    ASSERT_EQ(hil_json_writer_finish(&w, &len), HIL_JSON_OK);
    for (size_t i = 0; i < len; i++) {
        ASSERT_TRUE(buf[i] >= 0x20 && buf[i] <= 0x7e) << "byte " << i;
    }
    Doc doc(std::string(buf, len));
    const hil_json_obj_t *obj = &doc.obj;
    char out[300];
    size_t out_len = 0;
    ASSERT_EQ(hil_json_get_string(obj, "p", out, sizeof(out), &out_len), HIL_JSON_OK);
    EXPECT_EQ(std::string(out, out_len), bytes);
}
