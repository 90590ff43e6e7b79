// Message digests as lowercase hex strings: MD5 (RFC 1321) and SHA-256
// (FIPS 180-4), implemented here so libkiln needs no crypto library.
//
// MD5 is used only to name cache files the way zc.buildout does (it is not a
// security boundary); SHA-256 names git mirrors. Both functions are pure,
// thread-safe and never throw except std::bad_alloc.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace kiln::util {

// 32 lowercase hex digits.
std::string md5_hex(std::string_view data);
// 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

// Incremental digests, for data that does not fit in memory (downloads):
// update() any number of times with consecutive pieces, then hex_digest()
// once (the object is then spent; call reset() to reuse it). The result
// equals md5_hex / sha256_hex of the concatenated pieces. An object is not
// thread-safe; distinct objects are independent.
class Md5 {
 public:
  Md5() { reset(); }
  void reset();
  void update(std::string_view data);
  std::string hex_digest();  // 32 lowercase hex digits

 private:
  std::array<std::uint32_t, 4> m_state;
  std::array<unsigned char, 64> m_block;
  std::size_t m_block_size = 0;
  std::uint64_t m_length = 0;  // bytes seen so far
};

class Sha256 {
 public:
  Sha256() { reset(); }
  void reset();
  void update(std::string_view data);
  std::string hex_digest();  // 64 lowercase hex digits

 private:
  std::array<std::uint32_t, 8> m_state;
  std::array<unsigned char, 64> m_block;
  std::size_t m_block_size = 0;
  std::uint64_t m_length = 0;
};

}  // namespace kiln::util
