// Console output of a build: whole lines only (parts built at the same time
// never interleave mid-line), a [n/N] counter, and quiet / JSON-lines modes.
// Each part also gets its own log file. Thread-safe.
#pragma once

#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "recipe/part_context.h"

namespace kiln::build {

enum class OutputMode { k_normal, k_quiet, k_json };

class BuildOutput {
 public:
  BuildOutput(OutputMode mode, std::FILE* out = stdout, std::FILE* err = stderr);

  // A build step: "install", "update", "uninstall", "skip", "done", "failed".
  void event(const std::string& what, const std::string& part, const std::string& detail = {});
  // A line a part printed (its recipe's log or a command's output).
  void part_line(const std::string& part, int level, std::string_view line);
  // A message about the whole build.
  void note(std::string_view line);
  void warning(std::string_view line);
  void set_total(int total) { m_total = total; }
  OutputMode mode() const { return m_mode; }

 private:
  void write_json(const std::string& event, const std::string& part, std::string_view text);

  OutputMode m_mode;
  std::FILE* m_out;
  std::FILE* m_err;
  std::mutex m_mutex;
  int m_total = 0;
  int m_done = 0;
};

// A part's log: its file (<log dir>/<part>.log, appended) and the console.
// Keeps the last lines of command output (debug level, not on the console)
// so that a failure can show them. Thread-safe.
class PartLogSink : public recipe::PartLog {
 public:
  PartLogSink(BuildOutput& output, std::string part, const std::string& log_path);
  void write(int level, std::string_view line) override;

  // "" when no command printed anything; else the last lines of command
  // output, indented, after a line naming the log file.
  std::string output_tail() const;

 private:
  static constexpr std::size_t k_tail_lines = 12;
  static constexpr std::size_t k_tail_width = 400;

  BuildOutput& m_output;
  std::string m_part;
  std::string m_log_path;
  mutable std::mutex m_mutex;
  std::ofstream m_file;
  std::deque<std::string> m_tail;
};

}  // namespace kiln::build
