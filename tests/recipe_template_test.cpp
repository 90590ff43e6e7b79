// E2E tests of the `template` recipe: slapos.recipe.template (buildout
// substitution) and slapos.recipe.template:jinja2 (Kiln's Jinja subset).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "recipe_plugin_util.h"

using kiln_recipe_test::Build;
using kiln_recipe_test::contains;
using kiln_recipe_test::crashed;
using kiln_recipe_test::exists;
using kiln_recipe_test::mode_of;
using kiln_recipe_test::read_file;
using kiln_recipe_test::write_file;
using kiln_test::RunResult;

namespace {

std::string profile(const std::string& recipe, const std::string& options,
                    const std::string& extra = "") {
  return "[buildout]\nparts = t\n\n[config]\nport = 8080\nhost = example.net\n\n" + extra +
         "[t]\nrecipe = " + recipe + "\n" + options;
}

}  // namespace

TEST_CASE("template: url file with ${} from another section and $${} escapes",
          "[recipe][template]") {
  Build b;
  write_file(b / "app.conf.in",
             "listen ${config:host}:${config:port}\nkeep $${literal:ref}\nself ${:name}\n");
  b.profile(profile("slapos.recipe.template", "url = " + (b / "app.conf.in") +
                                                  "\noutput = ${buildout:directory}/etc/app.conf"
                                                  "\nname = me\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(b / "etc/app.conf") == "listen example.net:8080\nkeep ${literal:ref}\nself me\n");
  CHECK(mode_of(b / "etc/app.conf") != -1);
}

TEST_CASE("template: inline text, mode, file:// url and relative paths", "[recipe][template]") {
  Build b;
  SECTION("inline with mode") {
    b.profile(
        profile("slapos.recipe.template",
                "inline =\n  #!/bin/sh\n  echo ${config:port}\noutput = run.sh\nmode = 0750\n"));
    RunResult r = b.install();
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(read_file(b / "run.sh") == "#!/bin/sh\necho 8080");
    CHECK(mode_of(b / "run.sh") == 0750);
  }
  SECTION("file:// url and relative output") {
    write_file(b / "in.txt", "port=${config:port}\n");
    b.profile(profile("template", "url = file://" + (b / "in.txt") + "\noutput = out.txt\n"));
    RunResult r = b.install();
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(read_file(b / "out.txt") == "port=8080\n");
  }
  SECTION("relative url, md5sum checked") {
    write_file(b / "tpl/in.txt", "x\n");  // md5 401b30e3b8b5d629635a5c613cdb7919
    b.profile(profile("slapos.recipe.template",
                      "url = tpl/in.txt\nmd5sum = 401b30e3b8b5d629635a5c613cdb7919\n"
                      "output = ${buildout:parts-directory}/t/out.txt\n"));
    RunResult r = b.install();
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(read_file(b / "parts/t/out.txt") == "x\n");
  }
}

TEST_CASE("template: the output follows changes and goes with the part", "[recipe][template]") {
  Build b;
  write_file(b / "in.txt", "v1 ${config:port}\n");
  b.profile(profile("slapos.recipe.template", "url = in.txt\noutput = out.txt\n"));
  REQUIRE(b.install().status == 0);
  CHECK(read_file(b / "out.txt") == "v1 8080\n");
  write_file(b / "in.txt", "v2 ${config:host}\n");
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(b / "out.txt") == "v2 example.net\n");
  b.profile("[buildout]\nparts =\n");
  r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK_FALSE(exists(b / "out.txt"));
}

TEST_CASE("template: other parts see the output option", "[recipe][template]") {
  Build b;
  b.profile(
      "[buildout]\nparts = user\n\n[t]\nrecipe = slapos.recipe.template\ninline = hello\n"
      "output = ${buildout:directory}/hello.txt\n\n"
      "[user]\nrecipe = slapos.recipe.template\ninline = path=${t:output}\noutput = user.txt\n");
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(b / "hello.txt") == "hello");
  CHECK(read_file(b / "user.txt") == "path=" + (b / "hello.txt"));
}

TEST_CASE("template: bad input is refused", "[recipe][template]") {
  Build b;
  std::string expected;
  SECTION("no output") {
    b.profile(profile("slapos.recipe.template", "inline = x\n"));
    expected = "output";
  }
  SECTION("neither url nor inline") {
    b.profile(profile("slapos.recipe.template", "output = o\n"));
    expected = "one of the options 'url' and 'inline' is required";
  }
  SECTION("both url and inline") {
    write_file(b / "in", "x");
    b.profile(profile("slapos.recipe.template", "url = in\ninline = x\noutput = o\n"));
    expected = "exclusive";
  }
  SECTION("missing template file") {
    b.profile(profile("slapos.recipe.template", "url = nowhere.in\noutput = o\n"));
    expected = "nowhere.in";
  }
  SECTION("bad md5sum") {
    write_file(b / "in", "x\n");
    b.profile(profile("slapos.recipe.template",
                      "url = in\nmd5sum = 00000000000000000000000000000000\noutput = o\n"));
    expected = "md5";
  }
  SECTION("bad mode") {
    b.profile(profile("slapos.recipe.template", "inline = x\noutput = o\nmode = 0999\n"));
    expected = "option 'mode': expected an octal mode such as 0644, got '0999'";
  }
  SECTION("reference to a missing option in the file") {
    write_file(b / "in", "a\n${config:nope}\n");
    b.profile(profile("slapos.recipe.template", "url = in\noutput = o\n"));
    expected = "nope";
  }
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  CHECK_FALSE(crashed(r));
  CHECK(contains(r.err, "part [t]"));
  CHECK(contains(r.err, expected));
  CHECK_FALSE(exists(b / "o"));
}

TEST_CASE("template:jinja2: context raw/key/json, for and if", "[recipe][template][jinja2]") {
  Build b;
  write_file(b / "instance.cfg.in",
             "[buildout]\n"
             "# {{ title }} on {{ host }}:{{ port|int + 1 }}\n"
             "{% for name, conf in services.items() -%}\n"
             "[{{ name }}]\n"
             "{%   if conf.enabled -%}\n"
             "port = {{ conf.port }}\n"
             "{%   else -%}\n"
             "disabled = true\n"
             "{%   endif -%}\n"
             "{% endfor -%}\n"
             "raw = ${not:substituted}\n");
  b.profile(profile("slapos.recipe.template:jinja2",
                    "url = " + (b / "instance.cfg.in") +
                        "\noutput = ${buildout:directory}/instance.cfg\n"
                        "context =\n"
                        "  raw title My instance\n"
                        "  key host config:host\n"
                        "  key port config:port\n"
                        "  json services {\"web\": {\"enabled\": true, \"port\": 80}, \"db\": "
                        "{\"enabled\": false}}\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(b / "instance.cfg") ==
        "[buildout]\n# My instance on example.net:8081\n[web]\nport = 80\n[db]\ndisabled = "
        "true\nraw = ${not:substituted}");
}

TEST_CASE("template:jinja2: section context", "[recipe][template][jinja2]") {
  Build b;
  b.profile(profile("slapos.recipe.template:jinja2",
                    "inline = {% for k, v in c.items() if not k.startswith('_') %}{{ k }}={{ v }} "
                    "{% endfor %}{{ c.port|int + 1 }}\n"
                    "output = out\ncontext = section c config\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(b / "out") == "host=example.net port=8080 8081");
}

TEST_CASE("template:jinja2: inline, older option names, import-list",
          "[recipe][template][jinja2]") {
  Build b;
  write_file(b / "lib.j2", "{% macro line(k, v) %}{{ k }} = {{ v }}{% endmacro %}");
  b.profile(profile("slapos.recipe.template:jinja2",
                    "template = inline:\n  {% import 'lib' as lib %}{{ lib.line('a', x) }}\n"
                    "rendered = ${buildout:directory}/out.cfg\nmode = 640\n"
                    "import-list = rawfile lib " +
                        (b / "lib.j2") + "\ncontext = raw x 1\nextensions = jinja2.ext.do\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(b / "out.cfg") == "a = 1");
  CHECK(mode_of(b / "out.cfg") == 0640);
}

TEST_CASE("template:jinja2: errors name the part, the template and the line",
          "[recipe][template][jinja2]") {
  Build b;
  std::string expected;
  SECTION("parse error") {
    write_file(b / "bad.in", "ok\n{% if x %}\nnever closed\n");
    b.profile(
        profile("slapos.recipe.template:jinja2", "url = bad.in\noutput = o\ncontext = raw x 1\n"));
    expected = "template 'bad.in', line 3: expected 'elif', 'else' or 'endif'";
  }
  SECTION("undefined name") {
    b.profile(
        profile("slapos.recipe.template:jinja2", "inline =\n  a\n  {{ nope }}\noutput = o\n"));
    expected = "inline template, line 2: 'nope' is undefined";
  }
  SECTION("unsupported construct") {
    b.profile(profile("slapos.recipe.template:jinja2", "inline = {% extends 'x' %}\noutput = o\n"));
    expected = "the 'extends' tag is not supported by Kiln";
  }
  SECTION("missing key") {
    b.profile(profile("slapos.recipe.template:jinja2",
                      "inline = x\noutput = o\ncontext = key a config:missing\n"));
    expected = "${config:missing} does not exist";
  }
  SECTION("bad json") {
    b.profile(profile("slapos.recipe.template:jinja2",
                      "inline = x\noutput = o\ncontext = json a {\"k\": }\n"));
    expected = "json a:";
  }
  SECTION("missing section") {
    b.profile(profile("slapos.recipe.template:jinja2",
                      "inline = x\noutput = o\ncontext = section c nowhere\n"));
    expected = "section [nowhere] does not exist";
  }
  SECTION("unknown context type") {
    b.profile(
        profile("slapos.recipe.template:jinja2", "inline = x\noutput = o\ncontext = frob a b\n"));
    expected = "unknown type 'frob'";
  }
  SECTION("missing import") {
    b.profile(
        profile("slapos.recipe.template:jinja2", "inline = {% import 'lib' as l %}\noutput = o\n"));
    expected = "template 'lib' not found";
  }
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  CHECK_FALSE(crashed(r));
  CHECK(contains(r.err, "part [t]"));
  CHECK(contains(r.err, expected));
  CHECK_FALSE(exists(b / "o"));
}

// A ${} that cannot be resolved is the error shown, at the line that holds it,
// never "option absent" (the recipe only sees that it could not read it).
TEST_CASE("template: an unresolvable reference names itself and where it is",
          "[recipe][template]") {
  Build b;
  std::vector<std::string> expected;
  SECTION("in inline") {
    b.profile(
        "[buildout]\nparts = t\n[s]\nx = 1\n[t]\nrecipe = slapos.recipe.template\n"
        "inline = hello ${s:nope}\noutput = ${buildout:directory}/out\n");
    expected = {"buildout.cfg:7: ", "${s:nope}: option 'nope' does not exist in [s]"};
  }
  SECTION("in an option the inline text references") {
    b.profile(
        "[buildout]\nparts = t\n[s]\nx = 1\ny = ${s:x} ${s:nope}\n[t]\n"
        "recipe = slapos.recipe.template\ninline = hello ${s:y}\noutput = out\n");
    expected = {"buildout.cfg:5: ", "[s] y: ${s:nope}: option 'nope' does not exist in [s]"};
  }
  SECTION("in a required option") {
    b.profile(
        "[buildout]\nparts = t\n[s]\nx = 1\n[t]\nrecipe = slapos.recipe.template\n"
        "inline = hello\noutput = ${s:nope}/out\n");
    expected = {"buildout.cfg:8: ", "${s:nope}: option 'nope' does not exist in [s]"};
  }
  SECTION("in a url template file") {
    write_file(b / "tpl.in", "first\nsecond\nport = ${s:nope}\n");
    b.profile(
        "[buildout]\nparts = t\n[s]\nx = 1\n[t]\nrecipe = slapos.recipe.template\n"
        "url = ${buildout:directory}/tpl.in\noutput = out\n");
    expected = {"buildout.cfg:6: ", "part [t]", "tpl.in", "line 3",
                "${s:nope}: option 'nope' does not exist in [s]"};
  }
  SECTION("jinja2: in inline") {
    b.profile(
        "[buildout]\nparts = t\n[s]\nx = 1\n[t]\nrecipe = slapos.recipe.template:jinja2\n"
        "inline = hello ${s:nope}\noutput = out\n");
    expected = {"buildout.cfg:7: ", "${s:nope}: option 'nope' does not exist in [s]"};
  }
  SECTION("jinja2: in an option a context key names") {
    b.profile(
        "[buildout]\nparts = t\n[s]\nx = 1\ny = ${s:nope}\n[t]\n"
        "recipe = slapos.recipe.template:jinja2\ninline = {{ y }}\noutput = out\n"
        "context = key y s:y\n");
    expected = {"buildout.cfg:5: ", "[s] y: ${s:nope}: option 'nope' does not exist in [s]"};
  }
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK_FALSE(crashed(r));
  for (const std::string& e : expected) CHECK(contains(r.err, e));
  CHECK_FALSE(contains(r.err, "is required"));
  CHECK_FALSE(contains(r.err, "is missing"));
  CHECK_FALSE(contains(r.err, "} does not exist"));
  CHECK_FALSE(exists(b / "out"));
}
