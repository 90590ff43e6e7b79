// Message digests as lowercase hex strings: MD5 (RFC 1321) and SHA-256
// (FIPS 180-4), implemented here so libkiln needs no crypto library.
//
// MD5 is used only to name cache files the way zc.buildout does (it is not a
// security boundary); SHA-256 names git mirrors. Both functions are pure,
// thread-safe and never throw except std::bad_alloc.
#pragma once

#include <string>
#include <string_view>

namespace kiln::util {

// 32 lowercase hex digits.
std::string md5_hex(std::string_view data);
// 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

}  // namespace kiln::util
