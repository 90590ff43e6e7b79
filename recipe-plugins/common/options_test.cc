#include "kiln_common/options.h"

#include <catch2/catch.hpp>

#include "kiln/recipe.hpp"

using kiln::sdk::Failure;
using kiln_common::check_filename;
using kiln_common::parse_octal_mode;

TEST_CASE("parse_octal_mode accepts 0755, 755, 0o755 and 0O755", "[common]") {
  CHECK(parse_octal_mode("0755", "0644") == 0755u);
  CHECK(parse_octal_mode("755", "0644") == 0755u);
  CHECK(parse_octal_mode("0o755", "0644") == 0755u);
  CHECK(parse_octal_mode("0O700", "0644") == 0700u);
  CHECK(parse_octal_mode(" 0644\n", "0644") == 0644u);
  CHECK(parse_octal_mode("7777", "0644") == 07777u);
  CHECK(parse_octal_mode("0", "0644") == 0u);
}

TEST_CASE("parse_octal_mode rejects what is not 1 to 4 octal digits", "[common]") {
  for (const char* bad : {"", "  ", "0o", "0999", "rwx", "01234", "0x1ff", "-644", "0o12345"})
    CHECK_THROWS_AS(parse_octal_mode(bad, "0644"), Failure);
  CHECK_THROWS_WITH(parse_octal_mode("0999", "0644"),
                    "option 'mode': expected an octal mode such as 0644, got '0999'");
  CHECK_THROWS_WITH(parse_octal_mode(" x ", "0700"),
                    "option 'mode': expected an octal mode such as 0700, got ' x '");
}

TEST_CASE("check_filename refuses a '/'", "[common]") {
  CHECK_NOTHROW(check_filename("file.tar.gz"));
  CHECK_THROWS_WITH(check_filename("a/b"), "option 'filename': 'a/b' must not contain '/'");
}
