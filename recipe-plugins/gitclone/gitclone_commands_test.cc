#include "gitclone_commands.h"

#include <catch2/catch.hpp>

using namespace kiln_gitclone;
using Argv = std::vector<std::string>;

TEST_CASE("clone_argv: branch, depth, ssl", "[gitclone]") {
  GitOptions o;
  o.repository = "file:///r";
  CHECK(clone_argv(o, "/l") ==
        Argv{"git", "clone", "--quiet", "--branch", "master", "--", "file:///r", "/l"});
  o.depth = "1";
  o.branch = "dev";
  o.ignore_ssl_certificate = true;
  o.git = "/opt/git/bin/git";
  CHECK(clone_argv(o, "/l") == Argv{"/opt/git/bin/git", "-c", "http.sslVerify=false", "clone",
                                    "--quiet", "--depth=1", "--branch", "dev", "--", "file:///r",
                                    "/l"});
}

TEST_CASE("clone_argv: no --depth with a revision", "[gitclone]") {
  GitOptions o;
  o.repository = "/r";
  o.depth = "1";
  o.revision = "abc";
  CHECK(clone_argv(o, "/l") ==
        Argv{"git", "clone", "--quiet", "--branch", "master", "--", "/r", "/l"});
}

TEST_CASE("reset_argv and fetch_argv", "[gitclone]") {
  GitOptions o;
  o.branch = "b";
  CHECK(reset_argv(o, "/l", "FETCH_HEAD") ==
        Argv{"git", "-C", "/l", "reset", "--hard", "--quiet", "FETCH_HEAD"});
  CHECK(fetch_argv(o, "/l") == Argv{"git", "-C", "/l", "fetch", "--quiet", "origin", "b"});
  o.depth = "3";
  CHECK(fetch_argv(o, "/l") ==
        Argv{"git", "-C", "/l", "fetch", "--quiet", "--depth=3", "origin", "b"});
}

TEST_CASE("clean_check_script quotes the git command", "[gitclone]") {
  GitOptions o;
  o.git = "/my git";
  std::string s = clean_check_script(o);
  CHECK(s.find("'/my git' status --porcelain") != std::string::npos);
  CHECK(s.find("log --branches --not --remotes") != std::string::npos);
}

TEST_CASE("check_depth", "[gitclone]") {
  CHECK(check_depth("").empty());
  CHECK(check_depth("12").empty());
  CHECK_FALSE(check_depth("0").empty());
  CHECK_FALSE(check_depth("-1").empty());
  CHECK_FALSE(check_depth("two").empty());
}
