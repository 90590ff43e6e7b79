#include "kiln_common/text.h"

#include <catch2/catch.hpp>

using kiln_common::trimmed;

TEST_CASE("trimmed strips spaces, tabs, CR and LF at both ends", "[common]") {
  CHECK(trimmed("") == "");
  CHECK(trimmed(" \t\r\n") == "");
  CHECK(trimmed("  a b \n") == "a b");
  CHECK(trimmed("\tx") == "x");
  CHECK(trimmed("x") == "x");
  // Only those four: Python's str.strip() would also remove \v and \f.
  CHECK(trimmed("\vx\f") == "\vx\f");
}
