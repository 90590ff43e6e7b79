// Conditional section expressions: the SlapOS corpus expressions, the names
// buildout defines, --define overrides, errors and the real host probe.
#include "profile/condition.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "profile/condition_test_util.h"

namespace kiln::profile {
namespace {

using test::err;
using test::eval;
using test::FakeProbe;

const char* const k_os_release_key =
    "sys.version_info < (3, 10) or (platform.freedesktop_os_release()['ID'] == 'debian' and "
    "int(platform.freedesktop_os_release()['VERSION_ID']) < 12)";

TEST_CASE("condition: python version names", "[condition]") {
  FakeProbe probe;
  Platform p;  // 3.11.2 cpython on x86_64 Linux, like the reference Debian 12
  CHECK(eval("[python3]", p, probe));
  CHECK_FALSE(eval("[python2]", p, probe));
  CHECK_FALSE(eval("[python27]", p, probe));
  CHECK(eval("[python311]", p, probe));
  CHECK_FALSE(eval("[python310]", p, probe));
  CHECK_FALSE(eval("[python31]", p, probe));
  p.overrides["python"] = "2.7";
  CHECK(eval("[python2]", p, probe));
  CHECK(eval("[python27]", p, probe));
  CHECK_FALSE(eval("[python3]", p, probe));
  CHECK(eval("[sys.version_info < (3,8)]", p, probe));
  p.overrides["python"] = "3.1";
  CHECK(eval("[python31]", p, probe));
  CHECK_FALSE(eval("[python311]", p, probe));
  CHECK(err("[python316]", p, probe).find("unknown name 'python316'") != std::string::npos);
}

TEST_CASE("condition: pypy, bits32, posix", "[condition]") {
  FakeProbe probe;
  Platform p;
  CHECK_FALSE(eval("[pypy]", p, probe));
  CHECK(eval("[cpython]", p, probe));
  CHECK_FALSE(eval("[bits32]", p, probe));
  CHECK(eval("[bits64]", p, probe));
  CHECK(eval("[posix]", p, probe));
  p.implementation = "pypy";
  p.pointer_bits = 32;
  p.os_name = "nt";
  CHECK(eval("[pypy]", p, probe));
  CHECK_FALSE(eval("[cpython]", p, probe));
  CHECK(eval("[bits32]", p, probe));
  CHECK_FALSE(eval("[bits64]", p, probe));
  CHECK_FALSE(eval("[posix]", p, probe));
}

TEST_CASE("condition: machine checks from the corpus", "[condition]") {
  FakeProbe probe;
  Platform p;
  p.machine = "x86_64";
  CHECK(eval("[linux and platform.machine() == \"x86_64\"]", p, probe));
  CHECK(eval("[linux and platform.machine() == 'x86_64']", p, probe));
  CHECK_FALSE(eval("[linux and platform.machine() == \"i386\"]", p, probe));
  CHECK_FALSE(eval("[linux and platform.machine() == 'i686']", p, probe));
  CHECK_FALSE(eval("[platform.machine() == 'aarch64']", p, probe));
  CHECK(eval("[not linux or platform.machine() != 'riscv64']", p, probe));
  CHECK_FALSE(eval("[not (linux and platform.machine() == \"x86_64\")]", p, probe));
  p.machine = "riscv64";
  CHECK_FALSE(eval("[not linux or platform.machine() != 'riscv64']", p, probe));
  CHECK(eval("[not (linux and platform.machine() == \"x86_64\")]", p, probe));
  p.machine = "aarch64";
  CHECK(eval("[platform.machine() == 'aarch64']", p, probe));
  p.machine = "i686";
  CHECK(eval("[linux and platform.machine() == 'i686']", p, probe));
  p.machine = "i386";
  CHECK(eval("[linux and platform.machine() == \"i386\"]", p, probe));
  p.sys_platform = "darwin";
  CHECK_FALSE(eval("[linux and platform.machine() == \"i386\"]", p, probe));
  CHECK(eval("[not linux or platform.machine() != 'riscv64']", p, probe));
}

TEST_CASE("condition: sys.version_info from the corpus", "[condition]") {
  FakeProbe probe;
  Platform p;
  CHECK_FALSE(eval("[sys.version_info < (3,8)]", p, probe));
  CHECK_FALSE(eval("[sys.version_info < (3, 10)]", p, probe));
  CHECK(eval("[sys.version_info < (3,12)]", p, probe));
  CHECK_FALSE(eval("[pypy or sys.version_info >= (3,13)]", p, probe));
  p.python_minor = 7;
  CHECK(eval("[sys.version_info < (3,8)]", p, probe));
  CHECK(eval("[sys.version_info < (3, 10)]", p, probe));
  p.python_minor = 13;
  p.python_micro = 0;
  CHECK(eval("[pypy or sys.version_info >= (3,13)]", p, probe));
  p.python_minor = 11;
  p.implementation = "pypy";
  CHECK(eval("[pypy or sys.version_info >= (3,13)]", p, probe));
  CHECK(eval("[sys.version_info == (3, 11, 0, 'final', 0)]", p, probe));
  CHECK(eval("[sys.version_info.major == 3 and sys.version_info.minor == 11]", p, probe));
  CHECK(eval("[sys.version_info[:2] == (3, 11)]", p, probe));
}

TEST_CASE("condition: freedesktop_os_release from the corpus", "[condition]") {
  Platform p;
  FakeProbe probe;
  probe.files["/etc/os-release"] =
      "PRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\nID=debian\n"
      "VERSION_ID=\"11\"\n";
  CHECK(eval(std::string("[") + k_os_release_key + "]", p, probe));
  probe.files["/etc/os-release"] = "ID=debian\nVERSION_ID=\"12\"\n";
  CHECK_FALSE(eval(std::string("[") + k_os_release_key + "]", p, probe));
  p.python_minor = 9;  // short-circuit: the file is not read
  probe.files.clear();
  CHECK(eval(std::string("[") + k_os_release_key + "]", p, probe));
  p.python_minor = 11;
  std::string e = err(std::string("[") + k_os_release_key + "]", p, probe);
  CHECK(e.find("unable to read /etc/os-release or /usr/lib/os-release") != std::string::npos);
  probe.files["/usr/lib/os-release"] = "ID='ubuntu'\nVERSION_ID=\"22.04\"\n";  // the fallback
  CHECK_FALSE(eval(std::string("[") + k_os_release_key + "]", p, probe));
  probe.files["/usr/lib/os-release"] = "ID=debian\n";
  e = err(std::string("[") + k_os_release_key + "]", p, probe);
  CHECK(e.find("key error: 'VERSION_ID' is not in the dict") != std::string::npos);
  probe.files["/usr/lib/os-release"] = "ID=debian\nVERSION_ID=12.x\n";
  e = err(std::string("[") + k_os_release_key + "]", p, probe);
  CHECK(e.find("invalid literal for int() with base 10: '12.x'") != std::string::npos);
}

TEST_CASE("condition: os-release quoting follows Python's platform module", "[condition]") {
  Platform p;
  FakeProbe probe;
  probe.files["/etc/os-release"] =
      "# comment\nA=\"x y\"\nB='q'\nC=\"unbalanced\nD=\"a\\\"b\\$c\\\\d\\e\"\nE=\"\nF=\n"
      "BAD KEY=1\nG=\"mixed'\r\nNAME=Kiln\n";
  auto os = [&](const std::string& key, const std::string& want) {
    std::string expr = "[platform.freedesktop_os_release()['" + key + "'] == " + want + "]";
    INFO(expr);
    CHECK(eval(expr, p, probe));
  };
  os("A", "'x y'");
  os("B", "'q'");
  os("C", "'\"unbalanced'");
  os("D", "'a\"b$c\\\\d\\\\e'");
  os("E", "'\"'");
  os("F", "''");
  os("G", "'\"mixed\\''");
  os("NAME", "'Kiln'");
  os("ID", "'linux'");  // defaults of Python's parser
  os("PRETTY_NAME", "'Linux'");
  CHECK(eval("['BAD KEY' not in platform.freedesktop_os_release()]", p, probe));
  CHECK(eval("[list(platform.freedesktop_os_release())[:4] == ['NAME', 'ID', 'PRETTY_NAME', 'A']]",
             p, probe));
  probe.files["/etc/os-release"] = "ID=\xff\n";
  CHECK(err("[platform.freedesktop_os_release()]", p, probe).find("not valid UTF-8") !=
        std::string::npos);
}

TEST_CASE("condition: kernel release comprehension from the corpus", "[condition]") {
  const std::string expr = "[[int(q) for q in platform.release().split(\".\")[:2]]<[4,14]]";
  FakeProbe probe;
  Platform p;
  p.release = "4.9.0-13-amd64";
  CHECK(eval(expr, p, probe));
  p.release = "4.13";
  CHECK(eval(expr, p, probe));
  p.release = "4.14.1";
  CHECK_FALSE(eval(expr, p, probe));
  p.release = "6.1.0-18-amd64";
  CHECK_FALSE(eval(expr, p, probe));
  p.release = "4";  // [4] < [4, 14]
  CHECK(eval(expr, p, probe));
  p.release = "4.x";
  CHECK(err(expr, p, probe).find("invalid literal for int() with base 10: 'x'") !=
        std::string::npos);
}

TEST_CASE("condition: OLinuXino probe from the corpus", "[condition]") {
  const std::string expr =
      "[os.path.isdir('/usr/lib/arm-linux-gnueabihf') and os.access('/proc/device-tree/model', "
      "os.R_OK) and 'OLinuXino' in open('/proc/device-tree/model').read()]";
  Platform p;
  FakeProbe probe;
  CHECK_FALSE(eval(expr, p, probe));  // no directory: nothing else is touched
  probe.dirs.insert("/usr/lib/arm-linux-gnueabihf");
  CHECK_FALSE(eval(expr, p, probe));  // no model file: os.access is false
  probe.files["/proc/device-tree/model"] = std::string("Olimex A20-OLinuXino-LIME2\0", 27);
  CHECK(eval(expr, p, probe));
  probe.modes["/proc/device-tree/model"] = 0;  // not readable: open() is never called
  CHECK_FALSE(eval(expr, p, probe));
  probe.modes.clear();
  probe.files["/proc/device-tree/model"] = "Raspberry Pi 4 Model B";
  CHECK_FALSE(eval(expr, p, probe));
  probe.files.erase("/proc/device-tree/model");
  probe.modes["/proc/device-tree/model"] = 4;  // says readable, but open() fails
  CHECK(err(expr, p, probe).find("open('/proc/device-tree/model'): cannot read the file") !=
        std::string::npos);
}

TEST_CASE("condition: tail comments", "[condition]") {
  FakeProbe probe;
  Platform p;
  CHECK_FALSE(eval("[python2] # c", p, probe));
  CHECK(eval("[python3] # c", p, probe));
  CHECK(eval("[python3]# [x] ] and ( unbalanced", p, probe));
  CHECK(eval("[python3 # inside\n]", p, probe));
  CHECK(eval("['#' == '#'] # a '#' in a string is not a comment", p, probe));
}

TEST_CASE("condition: boolean overrides", "[condition]") {
  FakeProbe probe;
  Platform p;
  p.overrides = {{"python2", "true"}, {"linux", "no"}, {"bits64", "0"}, {"pypy", "YES"}};
  CHECK(eval("[python2]", p, probe));
  CHECK(eval("[python3]", p, probe));  // derived names are not touched
  CHECK_FALSE(eval("[linux]", p, probe));
  CHECK_FALSE(eval("[bits64]", p, probe));
  CHECK(eval("[pypy]", p, probe));
  CHECK(eval("[sys.platform == 'linux']", p, probe));       // only the name changes
  p.overrides = {{"python", "2.7"}, {"python2", "false"}};  // a boolean override wins
  CHECK_FALSE(eval("[python2]", p, probe));
  CHECK(eval("[python27]", p, probe));
}

TEST_CASE("condition: text overrides", "[condition]") {
  FakeProbe probe;
  Platform p;
  p.overrides = {{"python", "2.7"}};
  CHECK(eval("[python2 and python27 and not python3]", p, probe));
  CHECK(eval("[sys.version_info == (2, 7, 0, 'final', 0)]", p, probe));
  CHECK(eval("[platform.python_version() == '2.7.0']", p, probe));
  CHECK(eval("[platform.python_version_tuple() == ('2', '7', '0')]", p, probe));
  p.overrides = {{"python", "3.13.1"}};
  CHECK(eval("[python313 and sys.version_info >= (3, 13, 1)]", p, probe));
  p.overrides = {{"implementation", "pypy"}};
  CHECK(eval("[pypy and not cpython and platform.python_implementation() == 'PyPy']", p, probe));
  CHECK(eval("[sys.implementation.name == 'pypy']", p, probe));
  p.overrides = {{"sys_platform", "darwin"}};
  CHECK(eval("[macosx and not linux and sys.platform == 'darwin']", p, probe));
  p.overrides = {{"sys_platform", "win32"}, {"os_name", "nt"}};
  CHECK(eval("[windows and not posix and os.name == 'nt' and os.sep == '\\\\']", p, probe));
  p.overrides = {{"machine", "aarch64"}, {"system", "FreeBSD"}, {"release", "14.0"}};
  CHECK(
      eval("[(platform.machine(), platform.system(), platform.release()) == "
           "('aarch64', 'FreeBSD', '14.0')]",
           p, probe));
  p.overrides = {{"bits", "32"}, {"byteorder", "big"}};
  CHECK(eval("[bits32 and not bits64 and sys.maxsize == 2147483647]", p, probe));
  CHECK(eval("[big_endian and not little_endian and sys.byteorder == 'big']", p, probe));
}

TEST_CASE("condition: bad overrides are errors", "[condition]") {
  FakeProbe probe;
  Platform p;
  p.overrides = {{"linus", "true"}};
  std::string e = err("[linux]", p, probe);
  CHECK(e.find("unknown --define key 'linus'") != std::string::npos);
  CHECK(e.find("machine") != std::string::npos);
  p.overrides = {{"linux", "maybe"}};
  CHECK(err("[linux]", p, probe)
            .find("invalid --define linux=maybe: expected true, false, 1, 0, "
                  "yes or no") != std::string::npos);
  p.overrides = {{"python", "3"}};
  CHECK(err("[linux]", p, probe).find("expected a version MAJOR.MINOR") != std::string::npos);
  p.overrides = {{"python", "3.x"}};
  CHECK(err("[linux]", p, probe).find("invalid --define python=3.x") != std::string::npos);
  p.overrides = {{"implementation", "graalpy"}};
  CHECK(err("[linux]", p, probe).find("expected cpython, pypy, jython or ironpython") !=
        std::string::npos);
  p.overrides = {{"bits", "16"}};
  CHECK(err("[linux]", p, probe).find("expected 32 or 64") != std::string::npos);
}

TEST_CASE("condition: short-circuit looks names up only when evaluated", "[condition]") {
  FakeProbe probe;
  Platform p;
  CHECK(eval("[linux or undefined_name]", p, probe));
  CHECK_FALSE(eval("[not linux and undefined_name]", p, probe));
  CHECK(eval("[1 if linux else undefined_name]", p, probe));
  CHECK_FALSE(eval("[1 > 2 < undefined_name]", p, probe));  // chains stop too
  std::string e = err("[undefined_name]", p, probe);
  CHECK(e.find("unknown name 'undefined_name'") != std::string::npos);
  CHECK(e.find("expected one of") != std::string::npos);
  CHECK(e.find("python24..python315") != std::string::npos);
  CHECK(err("[undefined_name or linux]", p, probe).find("unknown name") != std::string::npos);
  CHECK(err("[linux, undefined_name]", p, probe).find("unknown name") != std::string::npos);
  // Unsupported syntax is an error even where Python would not evaluate it.
  CHECK(err("[linux or 2 * 3]", p, probe).find("operator '*' is not supported") !=
        std::string::npos);
}

TEST_CASE("condition: errors say what was expected", "[condition]") {
  FakeProbe probe;
  Platform p;
  std::string e = err("[linux and]", p, probe);
  CHECK(e.find("syntax error at column 11 of `[linux and]`") != std::string::npos);
  CHECK(e.find("expected an expression, got ']'") != std::string::npos);
  CHECK(err("[(linux]", p, probe)
            .find("closing parenthesis ']' does not match opening "
                  "parenthesis '('") != std::string::npos);
  CHECK(err("[linux))]", p, probe).find("does not match") != std::string::npos);
  CHECK(err("[(linux", p, probe).find("'(' was never closed") != std::string::npos);
  CHECK(err("[linux]]", p, probe).find("unmatched ']'") != std::string::npos);
  CHECK(err("[]", p, probe).find("is an empty list") != std::string::npos);
  CHECK(err("[ ] # nothing", p, probe).find("is an empty list") != std::string::npos);
  e = err("[(3,) < 'a']", p, probe);
  CHECK(e.find("type error: '<' not supported between instances of 'tuple' and 'str'") !=
        std::string::npos);
  CHECK(err("[platform.nope()]", p, probe)
            .find("module 'platform' has no attribute 'nope' in "
                  "Kiln: expected one of") != std::string::npos);
  CHECK(err("[platform.machine(1)]", p, probe)
            .find("platform.machine() takes 0 arguments, "
                  "got 1") != std::string::npos);
  CHECK(err("[re.match('a', 'a')]", p, probe).find("module 're' has no attribute 'match'") !=
        std::string::npos);
  CHECK(err("[os.environ.get('X')]", p, probe).find("module 'os' has no attribute 'environ'") !=
        std::string::npos);
  CHECK(err("[linux][0]", p, probe).find("'bool' object is not subscriptable") !=
        std::string::npos);
}

TEST_CASE("condition: hostile input is a bounded error", "[condition]") {
  FakeProbe probe;
  Platform p;
  std::string deep = "[" + std::string(10000, '(') + "linux" + std::string(10000, ')') + "]";
  CHECK(err(deep, p, probe).find("nests more than 100 levels") != std::string::npos);
  std::string open_only = "[" + std::string(10000, '(');
  CHECK(err(open_only, p, probe).find("was never closed") != std::string::npos);
  std::string nots = "[";
  for (int i = 0; i < 10000; ++i) nots += "not ";
  CHECK(err(nots + "linux]", p, probe).find("nests more than") != std::string::npos);
  std::string minus = "[" + std::string(10000, '-') + "1]";
  CHECK(err(minus, p, probe).find("nests more than") != std::string::npos);
  std::string lists = "[" + std::string(10000, '[') + std::string(10000, ']') + "]";
  CHECK(err(lists, p, probe).find("nests more than") != std::string::npos);
  std::string subs = "[linux";
  for (int i = 0; i < 300; ++i) subs += "[0]";
  CHECK(err(subs + "]", p, probe).find("too deeply nested") != std::string::npos);
  std::string sum = "[1";
  for (int i = 0; i < 20000; ++i) sum += "+1";
  CHECK(eval(sum + " == 20001]", p, probe));  // long flat chains are fine
  CHECK(err("[" + std::string(70000, ' ') + "1]", p, probe).find("longer than 65536 bytes") !=
        std::string::npos);
  std::string list = "[";
  for (int i = 0; i < 100; ++i) list += "0,";
  list += "]";
  std::string loops =
      "[[1 for a in " + list + " for b in " + list + " for c in " + list + " if 0]]";
  CHECK(err(loops, p, probe).find("steps to evaluate") != std::string::npos);
  probe.files["/big"] = std::string(60000, 'x');
  CHECK(err("[[open('/big').read() + '' for a in open('/big').read()]]", p, probe)
            .find("allocates more than 64 MiB") != std::string::npos);
}

TEST_CASE("condition: random garbage never escapes as an exception", "[condition]") {
  FakeProbe probe;
  probe.files["/f"] = "text";
  Platform p;
  const std::string pieces[] = {"(",
                                ")",
                                "[",
                                "]",
                                "'",
                                "\"",
                                "linux",
                                " ",
                                "and",
                                "or",
                                "not",
                                "<",
                                "==",
                                "1",
                                ",",
                                ":",
                                ".",
                                "split",
                                "for",
                                "x",
                                "in",
                                "if",
                                "else",
                                "#",
                                "\n",
                                "\\",
                                "sys",
                                "int(",
                                "+",
                                "-",
                                "0x",
                                "'a'",
                                "[0]",
                                "open('/f')",
                                ".read()",
                                "is",
                                "\xc3\xa9",
                                "\xff",
                                "version_info",
                                "platform.release()"};
  std::mt19937 rng(42);
  for (int round = 0; round < 3000; ++round) {
    std::string src = "[";
    int n = static_cast<int>(rng() % 30);
    for (int i = 0; i < n; ++i) src += pieces[rng() % std::size(pieces)];
    src += "]";
    Expected<bool> r = evaluate_condition(src, p, probe);
    if (!r.ok()) {
      INFO(src);
      CHECK(r.error().code == ErrorCode::k_condition);
      CHECK_FALSE(r.error().message.empty());
    }
  }
}

TEST_CASE("condition: Platform::host and RealHostProbe", "[condition]") {
  Platform host = Platform::host();
  CHECK_FALSE(host.system.empty());
  CHECK_FALSE(host.machine.empty());
  CHECK(host.pointer_bits == static_cast<int>(sizeof(void*) * 8));
  CHECK(host.os_name == "posix");
#ifdef __linux__
  CHECK(host.sys_platform == "linux");
  CHECK(host.system == "Linux");
#endif
  char dir_template[] = "/tmp/kiln-cond-XXXXXX";
  REQUIRE(::mkdtemp(dir_template) != nullptr);
  std::string dir = dir_template, file = dir + "/f.txt", fifo = dir + "/fifo";
  std::ofstream(file) << "line1\r\nline2\n";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  RealHostProbe probe;
  CHECK(probe.exists(file));
  CHECK(probe.is_file(file));
  CHECK_FALSE(probe.is_dir(file));
  CHECK(probe.is_dir(dir));
  CHECK_FALSE(probe.exists(dir + "/missing"));
  CHECK_FALSE(probe.exists(file + std::string(1, '\0') + "x"));
  CHECK(probe.access(file, 4));
  CHECK(probe.read_file(file) == std::optional<std::string>("line1\r\nline2\n"));
  CHECK_FALSE(probe.read_file(dir).has_value());
  CHECK_FALSE(probe.read_file(fifo).has_value());  // never blocks on a FIFO
  CHECK(eval("[open('" + file + "').read() == 'line1\\nline2\\n']", host, probe));
  std::remove(fifo.c_str());
  std::remove(file.c_str());
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace kiln::profile
