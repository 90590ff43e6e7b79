#include "util/hash.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace kiln::util {

namespace {

std::uint32_t rotl(std::uint32_t x, int n) {
  return (x << n) | (x >> (32 - n));
}
std::uint32_t rotr(std::uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

std::uint32_t load_le(const unsigned char* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

std::uint32_t load_be(const unsigned char* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 |
         std::uint32_t{p[3]};
}

void append_hex(std::string& out, std::uint8_t byte) {
  static constexpr char k_digits[] = "0123456789abcdef";
  out.push_back(k_digits[byte >> 4]);
  out.push_back(k_digits[byte & 0xf]);
}

constexpr std::array<int, 64> k_md5_shift = {
    7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 5,  9,  14, 20, 5,  9,
    14, 20, 5,  9,  14, 20, 5,  9,  14, 20, 4,  11, 16, 23, 4,  11, 16, 23, 4,  11, 16, 23,
    4,  11, 16, 23, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21};

// floor(abs(sin(i + 1)) * 2^32)
constexpr std::array<std::uint32_t, 64> k_md5_k = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};

void md5_block(std::array<std::uint32_t, 4>& h, const unsigned char* block) {
  std::uint32_t m[16];
  for (int i = 0; i < 16; ++i) m[i] = load_le(block + 4 * i);
  std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
  for (int i = 0; i < 64; ++i) {
    std::uint32_t f;
    int g;
    if (i < 16) {
      f = (b & c) | (~b & d), g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c), g = (5 * i + 1) % 16;
    } else if (i < 48) {
      f = b ^ c ^ d, g = (3 * i + 5) % 16;
    } else {
      f = c ^ (b | ~d), g = (7 * i) % 16;
    }
    std::uint32_t next = b + rotl(a + f + k_md5_k[i] + m[g], k_md5_shift[i]);
    a = d, d = c, c = b, b = next;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d;
}

constexpr std::array<std::uint32_t, 64> k_sha256_k = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

void sha256_block(std::array<std::uint32_t, 8>& h, const unsigned char* block) {
  std::uint32_t w[64];
  for (int i = 0; i < 16; ++i) w[i] = load_be(block + 4 * i);
  for (int i = 16; i < 64; ++i) {
    std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  std::array<std::uint32_t, 8> v = h;
  for (int i = 0; i < 64; ++i) {
    std::uint32_t s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
    std::uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
    std::uint32_t t1 = v[7] + s1 + ch + k_sha256_k[i] + w[i];
    std::uint32_t s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
    std::uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
    std::uint32_t t2 = s0 + maj;
    v = {t1 + t2, v[0], v[1], v[2], v[3] + t1, v[4], v[5], v[6]};
  }
  for (int i = 0; i < 8; ++i) h[i] += v[i];
}

}  // namespace

namespace {

// Feeds `data` to `compress` 64 bytes at a time, keeping the tail in `block`.
template <class State, class Compress>
void absorb(State& state, std::array<unsigned char, 64>& block, std::size_t& block_size,
            std::uint64_t& length, std::string_view data, Compress compress) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  length += n;
  if (block_size > 0) {
    std::size_t take = std::min(n, 64 - block_size);
    std::memcpy(block.data() + block_size, p, take);
    block_size += take, p += take, n -= take;
    if (block_size < 64) return;
    compress(state, block.data());
    block_size = 0;
  }
  for (; n >= 64; p += 64, n -= 64) compress(state, p);
  std::memcpy(block.data(), p, n);
  block_size = n;
}

// Merkle-Damgard padding: 0x80, zeros, then the bit length as 8 bytes
// (little-endian for MD5, big-endian for SHA-256).
template <class State, class Compress>
void finish(State& state, std::array<unsigned char, 64>& block, std::size_t& block_size,
            std::uint64_t length, bool big_endian, Compress compress) {
  std::uint64_t bits = length * 8;
  block[block_size++] = 0x80;
  if (block_size > 56) {
    std::memset(block.data() + block_size, 0, 64 - block_size);
    compress(state, block.data());
    block_size = 0;
  }
  std::memset(block.data() + block_size, 0, 56 - block_size);
  for (int i = 0; i < 8; ++i) {
    int shift = big_endian ? 8 * (7 - i) : 8 * i;
    block[56 + i] = static_cast<unsigned char>((bits >> shift) & 0xff);
  }
  compress(state, block.data());
  block_size = 0;
}

}  // namespace

void Md5::reset() {
  m_state = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  m_block_size = 0;
  m_length = 0;
}

void Md5::update(std::string_view data) {
  absorb(m_state, m_block, m_block_size, m_length, data, md5_block);
}

std::string Md5::hex_digest() {
  finish(m_state, m_block, m_block_size, m_length, false, md5_block);
  std::string out;
  out.reserve(32);
  for (std::uint32_t word : m_state) {
    for (int i = 0; i < 4; ++i) append_hex(out, static_cast<std::uint8_t>(word >> (8 * i)));
  }
  return out;
}

void Sha256::reset() {
  m_state = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  m_block_size = 0;
  m_length = 0;
}

void Sha256::update(std::string_view data) {
  absorb(m_state, m_block, m_block_size, m_length, data, sha256_block);
}

std::string Sha256::hex_digest() {
  finish(m_state, m_block, m_block_size, m_length, true, sha256_block);
  std::string out;
  out.reserve(64);
  for (std::uint32_t word : m_state) {
    for (int i = 3; i >= 0; --i) append_hex(out, static_cast<std::uint8_t>(word >> (8 * i)));
  }
  return out;
}

std::string md5_hex(std::string_view data) {
  Md5 h;
  h.update(data);
  return h.hex_digest();
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex_digest();
}

}  // namespace kiln::util
