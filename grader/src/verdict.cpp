#include "verdict.hpp"

#include <signal.h>

#include <cstring>

#include <nlohmann/json.hpp>

#include "util.hpp"

namespace grader {

using nlohmann::json;

std::string to_string(Status status) {
  switch (status) {
    case Status::passed: return "passed";
    case Status::failed: return "failed";
    case Status::timed_out: return "timed out";
    case Status::crashed: return "crashed";
    case Status::not_run: return "not run";
  }
  return "?";
}

std::string signal_name(int signal) {
  const char* abbrev = ::sigabbrev_np(signal);
  return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(signal);
}

namespace {

// The one test case of the report, when the report is exactly what GoogleTest
// writes for one test run alone; otherwise a reason it is not.
std::string check_report(const json& doc, const std::string& test_name, const json** test_case) {
  auto dot = test_name.find('.');
  std::string suite = test_name.substr(0, dot), name = test_name.substr(dot + 1);
  if (!doc.is_object() || !doc.contains("testsuites") || !doc["testsuites"].is_array()) {
    return "the test report is not a GoogleTest report";
  }
  if (doc.value("tests", -1) != 1) {
    return "the test report lists " + std::to_string(doc.value("tests", -1)) + " tests instead of exactly this one";
  }
  const json* found = nullptr;
  int cases = 0;
  for (const auto& entry : doc["testsuites"]) {
    if (!entry.is_object() || !entry.contains("testsuite") || !entry["testsuite"].is_array()) {
      return "the test report is not a GoogleTest report";
    }
    for (const auto& item : entry["testsuite"]) {
      ++cases;
      if (entry.value("name", "") == suite && item.is_object() && item.value("name", "") == name) {
        found = &item;
      }
    }
  }
  if (found == nullptr || cases != 1) {
    return "the test report does not name " + test_name + " as the one test that ran (was the test renamed or "
           "removed?)";
  }
  *test_case = found;
  return {};
}

// GoogleTest's JSON writer escapes each byte of a UTF-8 message on its own
// ("—" becomes \u00e2\u0080\u0094): when every code point fits in a byte,
// the bytes are the real text.
std::string undo_byte_escapes(const std::string& text) {
  std::string bytes;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      bytes += static_cast<char>(c);
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < text.size()) {
      bytes += static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(text[++i]) & 0x3F));
    } else {
      return text;  // a real character above U+00FF: the text was not byte-escaped
    }
  }
  return bytes;
}

}  // namespace

// The part of judge() that reads the report (after the exit status said "0").
Verdict judge_report(const std::string& report, const std::string& test_name);

std::string report_failures(const std::string& report_json, const std::string& test_name) {
  json doc = json::parse(report_json, nullptr, false);
  const json* test_case = nullptr;
  std::string text;
  try {
    if (doc.is_discarded() || !check_report(doc, test_name, &test_case).empty()) {
      return {};
    }
  if (test_case->contains("failures") && (*test_case)["failures"].is_array()) {
    for (const auto& failure : (*test_case)["failures"]) {
      if (failure.is_object() && failure.contains("failure") && failure["failure"].is_string()) {
        text += (text.empty() ? "" : "\n") + undo_byte_escapes(failure["failure"].get<std::string>());
      }
    }
  }
  } catch (const json::exception&) {
    return {};  // a report with the wrong types is judged (and rejected) by judge()
  }
  return text;
}

Verdict judge(const TestRun& run, const std::string& test_name, std::chrono::milliseconds timeout) {
  Verdict verdict;
  auto output_tail = [&] {
    std::string tail = printable(run.output);
    auto lines = split_lines(tail);
    std::string out;
    for (std::size_t i = lines.size() > 12 ? lines.size() - 12 : 0; i < lines.size(); ++i) {
      out += "\n    " + lines[i];
    }
    return out.empty() ? std::string() : "\n  last lines of its output:" + out;
  };
  if (!run.started) {
    return {Status::not_run, "the grader could not start the test: " + run.output};
  }
  if (run.timed_out) {
    return {Status::timed_out, explain_timeout(run, timeout)};
  }
  if (run.signal != 0) {
    std::string name = signal_name(run.signal);
    std::string hint = run.signal == SIGSEGV  ? " (an invalid memory access)"
                       : run.signal == SIGABRT ? " (abort(): an uncaught exception or a failed assert?)"
                       : run.signal == SIGKILL && run.memory_limit_hit
                           ? " (killed: the test's processes together reached the memory limit of a test)"
                       : run.signal == SIGKILL ? " (killed: a resource limit, or the test killed itself)"
                       : run.signal == SIGXCPU ? " (the CPU time limit)"
                       : run.signal == SIGXFSZ ? " (wrote a file larger than the limit)"
                       : run.signal == SIGPIPE ? " (wrote to a pipe or FIFO that nobody reads)"
                                               : "";
    return {Status::crashed, "the test was killed by " + name + hint + output_tail()};
  }
  std::string failures = run.report ? report_failures(*run.report, test_name) : "";
  if (!failures.empty()) {
    return {Status::failed, printable(failures)};
  }
  if (run.exit_code != 0) {
    return {Status::failed, "the test exited with status " + std::to_string(run.exit_code) + output_tail()};
  }
  if (run.report_is_suspect || !run.report) {
    return {Status::failed,
            "the test process exited with status 0 but GoogleTest did not finish its report: something ended the "
            "process in the middle of the test (exit(), _exit(), or a call that never returned to the test)" +
                output_tail()};
  }
  if (run.premature_exit_file_left) {
    return {Status::failed, "the test process ended before GoogleTest finished (the premature-exit file is still "
                            "there)" + output_tail()};
  }
  try {
    return judge_report(*run.report, test_name);
  } catch (const json::exception&) {
    return {Status::failed, "the test report is not a GoogleTest report (wrong types)"};
  }
}

Verdict judge_report(const std::string& report, const std::string& test_name) {
  json doc = json::parse(report, nullptr, false);
  const json* test_case = nullptr;
  std::string problem = doc.is_discarded() ? "the test report is not valid JSON" : check_report(doc, test_name, &test_case);
  if (!problem.empty()) {
    return {Status::failed, problem};
  }
  // A test that skips itself (GTEST_SKIP: this machine cannot set up what it
  // needs, e.g. no user namespaces) costs nobody a point: lab code cannot skip
  // a test, it has no GoogleTest symbol (build.cpp's nm check).
  if (test_case->value("status", "") == "RUN" && test_case->value("result", "") == "SKIPPED" &&
      !test_case->contains("failures") && doc.value("failures", -1) == 0 && doc.value("errors", -1) == 0) {
    return {Status::passed, "skipped on this machine, counted as passed"};
  }
  if (test_case->value("status", "") != "RUN" || test_case->value("result", "") != "COMPLETED") {
    return {Status::failed, "the test did not complete (status " + test_case->value("status", "?") + ", result " +
                                test_case->value("result", "?") + ")"};
  }
  if (test_case->contains("failures") || doc.value("failures", -1) != 0 || doc.value("errors", -1) != 0) {
    return {Status::failed, "the test report records a failure"};
  }
  return {Status::passed, ""};
}

std::string implausible_report(const std::string& report_json, const std::string& test_name,
                               const TestOrigin& origin, double seconds) {
  json doc = json::parse(report_json, nullptr, false);
  const json* test_case = nullptr;
  if (doc.is_discarded() || !check_report(doc, test_name, &test_case).empty()) {
    return "the report is not GoogleTest's report of " + test_name;
  }
  try {
    std::string file = test_case->value("file", "");
    int line = test_case->value("line", -1);
    if (file != origin.file || line != origin.line) {
      return "the report places " + test_name + " at " + file + ":" + std::to_string(line) +
             ", but the course defines it at " + origin.file + ":" + std::to_string(origin.line);
    }
    // GoogleTest writes "0.012s"; it cannot have run longer than its process.
    double reported = std::stod(test_case->value("time", "-1s"));
    if (reported < 0 || reported > seconds + 0.5) {
      return "the report says the test ran " + test_case->value("time", "?") + ", but its process ran " +
             format_points(seconds) + " s";
    }
  } catch (const std::exception&) {
    return "the report's fields have the wrong types";
  }
  return {};
}

}  // namespace grader
