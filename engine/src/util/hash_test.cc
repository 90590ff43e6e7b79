#include "util/hash.h"

#include <catch2/catch.hpp>
#include <string>

using kiln::util::md5_hex;
using kiln::util::sha256_hex;

TEST_CASE("md5_hex matches the RFC 1321 test suite", "[util]") {
  CHECK(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(md5_hex("a") == "0cc175b9c0f1b6a831c399e269772661");
  CHECK(md5_hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(md5_hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
  CHECK(md5_hex("abcdefghijklmnopqrstuvwxyz") == "c3fcd3d76192e4007dfb496cca67e13b");
}

TEST_CASE("sha256_hex matches the FIPS 180 examples", "[util]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("digests are right around the padding boundaries", "[util]") {
  // Lengths where the length field fits, barely does not, or fills a block.
  struct Vector {
    std::size_t length;
    const char* md5;
    const char* sha256;
  };
  const Vector vectors[] = {
      {55, "04364420e25c512fd958a70738aa8f72",
       "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"},
      {56, "668a72d5ba17f08e62dabcafad6db14b",
       "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"},
      {63, "7dc2ca208106a2f703567bdff99d8981",
       "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"},
      {64, "c1bb4f81d892b2d57947682aeb252456",
       "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
      {65, "1bc932052302d074bdec39795fe00cf6",
       "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"},
      {119, "ab347a5f68c8a443cfcddc633f12c24f",
       "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"},
      {120, "fb98667f98096de92620b64f46e1c5b5",
       "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"},
  };
  for (const Vector& v : vectors) {
    INFO("length " << v.length);
    std::string input(v.length, 'x');
    CHECK(md5_hex(input) == v.md5);
    CHECK(sha256_hex(input) == v.sha256);
  }
}

TEST_CASE("digests treat the input as raw bytes, including NUL and high bytes", "[util]") {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  CHECK(md5_hex(all_bytes) == "e2c865db4162bed963bfaa9ef6ac18f0");
  CHECK(sha256_hex(all_bytes) ==
        "40aff2e9d2d8922e47afd4648e6967497158785fbd1da870e7110266bf944880");
  // The extends cache names files like zc.buildout: md5 of the URL text.
  CHECK(md5_hex("http://example.com/buildout.cfg") == "cdd1de65f2910dad16ca3328a40cad5a");
}

TEST_CASE("incremental digests equal the one-shot ones for any split", "[util]") {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>((i * 7) & 0xff));
  for (std::size_t piece : {std::size_t{1}, std::size_t{3}, std::size_t{63}, std::size_t{64},
                            std::size_t{65}, std::size_t{1000}}) {
    INFO("piece " << piece);
    kiln::util::Md5 md5;
    kiln::util::Sha256 sha;
    for (std::size_t off = 0; off < data.size(); off += piece) {
      md5.update(std::string_view(data).substr(off, piece));
      sha.update(std::string_view(data).substr(off, piece));
    }
    CHECK(md5.hex_digest() == md5_hex(data));
    CHECK(sha.hex_digest() == sha256_hex(data));
  }
  kiln::util::Sha256 reused;
  reused.update("garbage");
  (void)reused.hex_digest();
  reused.reset();
  reused.update("abc");
  CHECK(reused.hex_digest() == sha256_hex("abc"));
}
