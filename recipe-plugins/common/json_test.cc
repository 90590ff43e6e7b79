#include "kiln_common/json.h"

#include <catch2/catch.hpp>

using kiln_common::append_json_string;
using kiln_common::json_string;
using kiln_common::JsonEscape;

namespace {

JsonEscape ascii(bool html_safe = false) {
  JsonEscape e;
  e.ascii_only = true;
  e.html_safe = html_safe;
  return e;
}

}  // namespace

TEST_CASE("json_string escapes quotes, backslashes and control characters", "[common]") {
  CHECK(json_string("") == "\"\"");
  CHECK(json_string("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(json_string("l1\nl2\r\t") == "\"l1\\nl2\\r\\t\"");
  CHECK(json_string(std::string("\x01\x1f", 2)) == "\"\\u0001\\u001f\"");
  CHECK(json_string(std::string(1, '\0')) == "\"\\u0000\"");
  CHECK(json_string("<a href='x'>&</a>") == "\"<a href='x'>&</a>\"");
}

TEST_CASE("json_string copies UTF-8 unless ascii_only", "[common]") {
  CHECK(json_string("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
  CHECK(json_string("caf\xc3\xa9", ascii()) == "\"caf\\u00e9\"");
  CHECK(json_string("\xe2\x82\xac", ascii()) == "\"\\u20ac\"");
  // U+1F600 as a surrogate pair, as Python's json.dumps.
  CHECK(json_string("\xf0\x9f\x98\x80", ascii()) == "\"\\ud83d\\ude00\"");
  // A truncated sequence: the byte itself.
  CHECK(json_string("\xc3", ascii()) == "\"\\u00c3\"");
}

TEST_CASE("json_string html_safe escapes <, >, & and '", "[common]") {
  CHECK(json_string("<a>&'", ascii(true)) == "\"\\u003ca\\u003e\\u0026\\u0027\"");
  CHECK(json_string("<a>&'", ascii(false)) == "\"<a>&'\"");
}

TEST_CASE("append_json_string appends", "[common]") {
  std::string out = "{";
  append_json_string(out, "k");
  out += ": ";
  append_json_string(out, "v");
  CHECK(out == "{\"k\": \"v\"");
}
