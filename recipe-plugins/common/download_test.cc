#include "kiln_common/download.h"

#include <catch2/catch.hpp>

using kiln_common::download_options_hash;
using Options = std::map<std::string, std::string>;

TEST_CASE("download_options_hash: 16 hex digits of FNV-1a 64", "[common]") {
  // No option: the starting value, 1469598103934665603 (the FNV offset basis
  // 14695981039346656037 with its last digit missing: kept, as it names
  // existing shared parts).
  CHECK(download_options_hash({}) == "14650fb0739d0383");
  std::string h = download_options_hash({{"url", "http://x/a.tar.gz"}});
  CHECK(h.size() == 16);
  CHECK(h.find_first_not_of("0123456789abcdef") == std::string::npos);
}

TEST_CASE("download_options_hash ignores what init sets and internal options", "[common]") {
  Options a = {{"recipe", "download"}, {"url", "http://x/a.tar.gz"}, {"md5sum", "abc"}};
  Options b = a;
  b["location"] = "/somewhere";
  b["target"] = "/somewhere/a";
  b["_profile_base_location_"] = "/release";
  b[""] = "empty name";
  CHECK(download_options_hash(a) == download_options_hash(b));
  b["md5sum"] = "abd";
  CHECK(download_options_hash(a) != download_options_hash(b));
}

TEST_CASE("download_options_hash separates names from values", "[common]") {
  CHECK(download_options_hash({{"ab", "c"}}) != download_options_hash({{"a", "bc"}}));
}
