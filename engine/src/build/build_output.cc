#include "build/build_output.h"

#include <filesystem>

#include "util/json_text.h"

namespace kiln::build {

namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  util::append_json_string_body(out, s);
  return out + "\"";
}

}  // namespace

BuildOutput::BuildOutput(OutputMode mode, std::FILE* out, std::FILE* err)
    : m_mode(mode), m_out(out), m_err(err) {}

void BuildOutput::write_json(const std::string& event, const std::string& part,
                             std::string_view text) {
  std::string line = "{\"event\": " + json_string(event);
  if (!part.empty()) line += ", \"part\": " + json_string(part);
  if (!text.empty()) line += ", \"text\": " + json_string(std::string(text));
  line += "}\n";
  std::fputs(line.c_str(), m_out);
  std::fflush(m_out);
}

void BuildOutput::event(const std::string& what, const std::string& part,
                        const std::string& detail) {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (m_mode == OutputMode::k_json) return write_json(what, part, detail);
  bool counted = what == "install" || what == "update";
  if (counted) ++m_done;
  if (m_mode == OutputMode::k_quiet && what != "failed") return;
  std::string line;
  if (counted && m_total > 0)
    line = "[" + std::to_string(m_done) + "/" + std::to_string(m_total) + "] ";
  static const std::map<std::string, std::string> k_verbs = {
      {"install", "Installing"}, {"update", "Updating"}, {"uninstall", "Uninstalling"},
      {"done", "Finished"},      {"failed", "FAILED"},   {"skip", "Skipping"},
      {"plan", "Would"}};
  auto it = k_verbs.find(what);
  line += (it != k_verbs.end() ? it->second : what) + " " + part;
  if (!detail.empty()) line += ": " + detail;
  line += "\n";
  std::FILE* f = what == "failed" ? m_err : m_out;
  std::fputs(line.c_str(), f);
  std::fflush(f);
}

void BuildOutput::part_line(const std::string& part, int level, std::string_view text) {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (m_mode == OutputMode::k_json) {
    return write_json(level >= KILN_LOG_WARNING ? "warning" : "log", part, text);
  }
  if (m_mode == OutputMode::k_quiet && level < KILN_LOG_WARNING) return;
  if (level == KILN_LOG_DEBUG) return;  // the part's log file has it
  std::string line = part + (level >= KILN_LOG_WARNING ? ": warning: " : ": ");
  line.append(text);
  line += "\n";
  std::FILE* f = level >= KILN_LOG_WARNING ? m_err : m_out;
  std::fputs(line.c_str(), f);
  std::fflush(f);
}

void BuildOutput::note(std::string_view text) {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (m_mode == OutputMode::k_json) return write_json("note", "", text);
  if (m_mode == OutputMode::k_quiet) return;
  std::string line(text);
  line += "\n";
  std::fputs(line.c_str(), m_out);
  std::fflush(m_out);
}

void BuildOutput::warning(std::string_view text) {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (m_mode == OutputMode::k_json) return write_json("warning", "", text);
  std::string line = "kiln: warning: " + std::string(text) + "\n";
  std::fputs(line.c_str(), m_err);
  std::fflush(m_err);
}

PartLogSink::PartLogSink(BuildOutput& output, std::string part, const std::string& log_path)
    : m_output(output), m_part(std::move(part)), m_log_path(log_path) {
  if (!log_path.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(log_path).parent_path(), ec);
    m_file.open(log_path, std::ios::app);
  }
}

void PartLogSink::write(int level, std::string_view line) {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_file) {
      m_file << line << '\n';
      m_file.flush();
    }
    if (level == KILN_LOG_DEBUG) {
      m_tail.emplace_back(line.substr(0, k_tail_width));
      if (m_tail.size() > k_tail_lines) m_tail.pop_front();
    }
  }
  // Command output is debug level: in the file, not on the console.
  m_output.part_line(m_part, level, line);
}

std::string PartLogSink::output_tail() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (m_tail.empty()) return {};
  std::string out =
      "\n  last output" + (m_log_path.empty() ? "" : " (whole log: " + m_log_path + ")") + ":";
  for (const std::string& line : m_tail) out += "\n    " + line;
  return out;
}

}  // namespace kiln::build
