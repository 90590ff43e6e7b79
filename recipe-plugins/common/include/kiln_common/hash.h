// MD5 (RFC 1321) and SHA-256 (FIPS 180-4) for the recipe plugins: no library
// beyond the standard one is allowed in a plugin.
#pragma once

#include <string>

namespace kiln_common {

// Lower-case hex MD5 of data.
std::string md5_hex(const std::string& data);

// Lower-case hex SHA-256 of data.
std::string sha256_hex(const std::string& data);

}  // namespace kiln_common
