#include "report.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <regex>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "util.hpp"

namespace grader {

std::string behaviour_id(const std::string& test_name) {
  static const std::regex id_re(R"(\.(B[0-9]+)_([0-9]+)_)");
  std::smatch m;
  return std::regex_search(test_name, m, id_re) ? m[1].str() + "." + m[2].str() : "";
}

namespace {

// How much the reports show. A summary line is meant to fit a wide terminal;
// twenty of them plus the table stay within a screen. A hidden test's own
// explanation is short by design, so longer lines and more of them are noise
// (or something a submission stuffed into its exception messages).
constexpr std::size_t kSummaryWidth = 110;
constexpr std::size_t kSummaryFailures = 20;
constexpr std::size_t kExplanationChars = 300;
constexpr std::size_t kExplanationLines = 6;
constexpr std::size_t kLineChars = 500;
constexpr std::size_t kFlagsInSummary = 5;

// What the course's skeletons throw (labs/common/src/error.cpp).
constexpr std::string_view kNotImplemented = "not implemented yet";

// A student copy of the course (./ipclab release) has the public tests only:
// its reports say so once, and never point at what that copy does not have.
constexpr std::string_view kStudentCopy =
    "Public tests only: your instructor grades the same files with more (hidden) tests of the same behaviours.";

// ---------------------------------------------------------------------------
// Text that came from a submission

// `text` cut to `limit` characters; counts code points so that a cut never
// splits a UTF-8 sequence.
std::string clip(const std::string& text, std::size_t limit) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && count++ == limit) {
      return text.substr(0, i) + "…";
    }
  }
  return text;
}

// For places that hold one line (a label, a name, a table cell, an XML
// attribute): a newline in a folder name must not start a line of its own.
std::string one_line(std::string_view text) {
  return replace_all(replace_all(printable(text), "\n", "\\n"), "\t", " ");
}

// Cuts the course checkout's absolute path out of `text`, leaving paths
// relative to the course ("labs/01-fifo/tests/x_test.cpp:12"). The build maps
// file prefixes too; this also covers old builds and messages written at run
// time.
std::string without_root(std::string text, const std::string& root) {
  std::string prefix = root;
  while (prefix.size() > 1 && prefix.back() == '/') {
    prefix.pop_back();
  }
  return prefix.size() > 1 ? replace_all(std::move(text), prefix + "/", "") : text;
}

// The lines of `text`, each cut to kLineChars, for the pattern matching below:
// std::regex recurses once per character it repeats over, and a test's output
// can hold a 64 KiB line that would overflow the stack and take every report
// down with it.
std::vector<std::string> short_lines(const std::string& text) {
  std::vector<std::string> lines = split_lines(text);
  for (auto& line : lines) {
    line = clip(line, kLineChars);
  }
  return lines;
}

// Lines cut to `limit` characters each, at most `max_lines` of them, saying how
// many were left out.
std::vector<std::string> some_lines(const std::string& text, std::size_t max_lines, std::size_t limit) {
  std::vector<std::string> lines;
  auto all = split_lines(text);
  for (std::size_t i = 0; i < all.size() && i < max_lines; ++i) {
    lines.push_back(clip(all[i], limit));
  }
  if (all.size() > max_lines) {
    std::size_t more = all.size() - max_lines;
    lines.push_back("... (" + std::to_string(more) + " more line" + (more == 1 ? ")" : "s)"));
  }
  return lines;
}

// ---------------------------------------------------------------------------
// What happened to a test

bool is_hidden(const TestResult& test) { return test.spec.binary == Binary::hidden_tests; }

bool ran_and_failed(const TestResult& test) {
  return test.status == Status::failed || test.status == Status::timed_out || test.status == Status::crashed;
}

bool is_cut_short(const TestResult& test) {
  return test.status == Status::not_run && test.message.starts_with("cut short");
}

bool is_not_implemented(const TestResult& test) {
  return ran_and_failed(test) && test.message.find(kNotImplemented) != std::string::npos;
}

// The grader's own words (a timeout, a signal, an exit status, a report it
// rejected), as opposed to GoogleTest's failure text, which always starts with
// a source location ("x_test.cpp:12" or "unknown file"). Their first line is
// about the process, never about the test's source.
bool written_by_grader(const TestResult& test) {
  return test.status == Status::timed_out || test.status == Status::crashed || test.status == Status::not_run ||
         test.message.starts_with("the test ") || test.message.starts_with("the grader ");
}

// "B3.7: expected mq_receive to fail ...": a line a test writes for students
// on purpose (the behaviour id, a colon, then the explanation).
bool is_explanation(std::string_view line) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < line.size() && line[i] >= '0' && line[i] <= '9') {
      ++i;
    }
    return i > start;
  };
  if (line.empty() || line[i++] != 'B' || !digits() || i >= line.size() || line[i++] != '.' || !digits()) {
    return false;
  }
  return i < line.size() && line[i] == ':';
}

// The test's explanation on `line`, or "": the line itself when it starts with
// a behaviour id, or what a child process of the test said when the test quotes
// it ("child 'writer' exited with status 1: B1.13: the reader left...", from
// labs/common/testing's ChildResult::describe()). `line` comes from short_lines().
std::string explanation_in(const std::string& line) {
  if (is_explanation(line)) {
    return line;
  }
  static const std::regex child(
      R"(^child '[^']*' (exited with status [0-9]+|was killed by [A-Za-z0-9 ]+): (B[0-9]+\.[0-9]+:.*)$)");
  std::smatch m;
  return std::regex_match(line, m, child) ? m[2].str() : "";
}

// A line of GoogleTest's text that only says where: "x_test.cpp:12", "unknown
// file". `line` comes from short_lines().
bool is_location(const std::string& line) {
  static const std::regex location(R"(^\S+:[0-9]+$)");
  return line == "unknown file" || std::regex_match(line, location);
}

// "x_hidden_test.cpp:132: " inside an explanation (a child's message quoted by
// the test): where a hidden test's source is, which its feedback must not say.
std::string without_source_locations(const std::string& line) {
  static const std::regex location(R"([^\s'"()]*\.(cpp|cc|cxx|hpp|hh|h)(:[0-9]+)+:? ?)");
  return std::regex_replace(line, location, "");
}

// What a student may see of a failing hidden test before the due date: the
// grader's own first line for a timeout, a crash or a rejected report (never
// the test's output after it); otherwise the test's explanation lines; never
// the hidden source's file names, line numbers or assertions.
std::string hidden_message(const TestResult& test, const std::string& message) {
  auto lines = short_lines(message);
  if (written_by_grader(test)) {
    return lines.empty() ? to_string(test.status) : clip(without_source_locations(lines.front()), kExplanationChars);
  }
  std::string out;
  std::size_t kept = 0;
  for (const auto& line : lines) {
    std::string explanation = explanation_in(line);
    if (!explanation.empty() && kept < kExplanationLines) {
      out += (kept++ > 0 ? "\n" : "") + clip(without_source_locations(explanation), kExplanationChars);
    }
  }
  if (kept > 0) {
    return out;
  }
  std::string id = behaviour_id(test.spec.name);
  return "this hidden test" + (id.empty() ? std::string() : " of " + id) +
         " failed; its details are shown after the due date" +
         (is_not_implemented(test) ? " (it reached a function that still throws \"not implemented yet\")" : "");
}

// GoogleTest puts the test's own sentence last ("Value of: ... Expected: true
// B3.17: ~Queue must close the descriptor"), and a report keeps the first
// lines: the behaviour's explanation lines come first, then the details. The
// test binaries' own printer does the same (labs/common/testing/src/main.cpp).
std::string explanation_first(const std::string& text) {
  std::string first, rest;
  for (const auto& line : split_lines(text)) {
    (explanation_in(clip(line, kLineChars)).empty() ? rest : first) += line + "\n";
  }
  std::string out = first + rest;
  if (!out.empty() && (text.empty() || text.back() != '\n')) {
    out.pop_back();
  }
  return out;
}

// The failure text a report shows for `test`: printable, without the course's
// path, explanation first, and for a hidden test only what hidden_message() allows.
std::string shown_message(const GradeResult& result, const TestResult& test) {
  std::string text = without_root(test.message, result.course_root);
  if (is_hidden(test) && !result.show_hidden_details) {
    text = hidden_message(test, text);
  } else if (!written_by_grader(test)) {
    text = explanation_first(text);
  }
  return printable(text);
}

// The one line that best says why `test` failed, for the summary: the grader's
// first line, else the test's first explanation (without the behaviour id the
// summary already shows), else the first line that is not a source location.
std::string headline(const GradeResult& result, const TestResult& test) {
  auto lines = short_lines(shown_message(result, test));
  std::string line;
  if (!lines.empty() && written_by_grader(test)) {
    line = lines.front();
  } else {
    auto found = std::find_if(lines.begin(), lines.end(),
                              [](const std::string& l) { return !explanation_in(l).empty(); });
    if (found != lines.end()) {
      line = explanation_in(*found);
    } else {
      found = std::find_if(lines.begin(), lines.end(),
                           [](const std::string& l) { return !l.empty() && !is_location(l); });
      line = found != lines.end() ? *found : to_string(test.status);
    }
  }
  std::string id = behaviour_id(test.spec.name);
  if (!id.empty() && line.starts_with(id + ": ")) {
    line.erase(0, id.size() + 2);
  }
  return one_line(line);
}

// "fifo::write_all" from "not implemented yet: fifo::write_all — loop over...".
// Read by hand, not with std::regex: the message can be 64 KiB long.
std::string unimplemented_function(const std::string& message) {
  std::string marker = std::string(kNotImplemented) + ": ";
  auto at = message.find(marker);
  if (at == std::string::npos) {
    return "";
  }
  std::string name;
  for (std::size_t i = at + marker.size(); i < message.size() && name.size() < 80; ++i) {
    char c = message[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':')) {
      break;
    }
    name += c;
  }
  return name;
}

// Orders tests by behaviour id (B1.2 before B1.10; public and hidden tests of
// one behaviour side by side), tests without one last, rubric order otherwise.
std::tuple<int, int> behaviour_order(const TestResult& test) {
  std::string id = behaviour_id(test.spec.name);
  if (id.empty()) {
    return {1 << 30, 0};
  }
  // from_chars, not stoi: a name with more digits than an int holds must not
  // throw (it sorts as 0).
  auto number = [](std::string_view digits) {
    int value = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return value;
  };
  std::string_view view = id;
  auto dot = view.find('.');
  return {number(view.substr(1, dot - 1)), number(view.substr(dot + 1))};
}

// ---------------------------------------------------------------------------
// What happened to a lab

// A lab whose results do not count: it could not be graded, or its test
// process forged a report.
bool is_void(const LabResult& lab) { return !lab.problem.empty() || lab.forged; }

bool counts_as_passed(const LabResult& lab, const TestResult& test) {
  return !is_void(lab) && test.status == Status::passed;
}

struct Counts {
  std::size_t passed = 0, failed = 0, not_run = 0, not_implemented = 0;
};

Counts count(const LabResult& lab) {
  Counts c;
  for (const auto& test : lab.tests) {
    if (counts_as_passed(lab, test)) {
      ++c.passed;
    } else if (test.status == Status::not_run) {
      ++c.not_run;
    } else {
      ++c.failed;
      c.not_implemented += is_not_implemented(test);
    }
  }
  return c;
}

// Untouched: nothing passed, and every test that ran failed on a function that
// still throws "not implemented yet". Decided from what happened, not from the
// source, so a lab whose first function works counts as started.
bool not_started(const LabResult& lab) {
  Counts c = count(lab);
  return !is_void(lab) && c.passed == 0 && c.failed > 0 && c.not_implemented == c.failed;
}

// Why the lab was cut short, on one line, without a "cut short:" of its own
// (the reports put theirs in front).
std::string cut_short_reason(const GradeResult& result, const LabResult& lab) {
  std::string why = one_line(without_root(lab.cut_short, result.course_root));
  if (why.starts_with("cut short")) {
    why.erase(0, why.find_first_not_of(": ", 9));
  }
  return clip(why, kLineChars);
}

bool full_marks(const LabResult& lab) { return lab.score >= lab.max_score - 1e-9; }

std::string forged_line(const GradeResult& result, const LabResult& lab) {
  std::string why = clip(one_line(without_root(lab.forged_why, result.course_root)), kExplanationChars);
  return "scored 0: forged report — its test process wrote its own report" +
         (why.empty() ? std::string() : " (" + why + ")") + "; every result of this lab is void";
}

// The lab's line in the terminal table and in Gradescope's summary.
std::string lab_state(const LabResult& lab) {
  if (!lab.problem.empty()) {
    return "scored 0: it could not be graded (see below)";
  }
  if (lab.forged) {
    return "scored 0: forged report (see below)";
  }
  if (not_started(lab)) {
    return "not started: every function still throws \"not implemented yet\"";
  }
  Counts c = count(lab);
  std::string text = std::to_string(c.passed) + " passed";
  if (c.failed > 0) {
    text += ", " + std::to_string(c.failed) + " failed";
  }
  if (c.not_run > 0) {
    text += ", " + std::to_string(c.not_run) + " not run" + (lab.cut_short.empty() ? "" : " (cut short)");
  }
  return text;
}

// What a report says about a lab as a whole, one printable line each (nested
// lines indented by two spaces): why it scored 0, why it was cut short, and
// what was flagged for review.
std::vector<std::string> lab_notes(const GradeResult& result, const LabResult& lab, std::size_t problem_lines,
                                   std::size_t max_flags) {
  std::vector<std::string> notes;
  if (!lab.problem.empty()) {
    notes.push_back("scored 0: it could not be graded:");
    for (const auto& line : some_lines(printable(without_root(lab.problem, result.course_root)), problem_lines,
                                       kLineChars)) {
      notes.push_back("  " + line);
    }
  }
  if (lab.forged) {
    notes.push_back(forged_line(result, lab));
  }
  if (!lab.cut_short.empty()) {
    notes.push_back("cut short: " + cut_short_reason(result, lab));
  }
  if (!lab.flags.empty()) {
    notes.push_back("flagged for review (does not change the score):");
    for (std::size_t i = 0; i < lab.flags.size() && i < max_flags; ++i) {
      notes.push_back("  " + clip(one_line(without_root(lab.flags[i], result.course_root)), kLineChars));
    }
    if (lab.flags.size() > max_flags) {
      notes.push_back("  ... and " + std::to_string(lab.flags.size() - max_flags) + " more (--details)");
    }
  }
  return notes;
}

// A test's outcome in a word or two.
std::string outcome(const LabResult& lab, const TestResult& test) {
  if (lab.forged) {
    return "void (forged report)";
  }
  return is_cut_short(test) ? "not run (cut short)" : to_string(test.status);
}

// A test's whole story for the files (Gradescope, JUnit).
std::string test_output(const GradeResult& result, const LabResult& lab, const TestResult& test) {
  if (!lab.problem.empty()) {
    return "lab " + one_line(lab.lab) + " scored 0: it could not be graded:\n" +
           printable(without_root(lab.problem, result.course_root));
  }
  if (lab.forged) {
    return "lab " + one_line(lab.lab) + " " + forged_line(result, lab);
  }
  if (test.status == Status::passed) {
    return "passed";
  }
  if (is_cut_short(test)) {
    return "not run (cut short): " + cut_short_reason(result, lab);
  }
  return to_string(test.status) + ": " + shown_message(result, test);
}

std::string percent(double score, double max) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.0f%%", max > 0 ? 100.0 * score / max : 100.0);
  return buffer;
}

// "01" of "01-fifo", for the commands a student types.
std::string lab_number(const LabResult& lab) { return one_line(lab.lab.substr(0, lab.lab.find('-'))); }

// ---------------------------------------------------------------------------
// Escaping for each format

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : printable(text)) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

// An attribute holds one line: a newline there would be read back as a space.
std::string xml_attribute(std::string_view text) { return xml_escape(one_line(text)); }

std::size_t longest_backtick_run(const std::string& text) {
  std::size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

// A fenced code block that nothing inside can close: its fence is longer than
// any run of backticks in the text, and a fence of backticks is only closed by
// backticks. Inside, Markdown and HTML are shown as they are.
std::string md_block(std::string_view text) {
  std::string body = printable(text);
  while (!body.empty() && body.back() == '\n') {
    body.pop_back();
  }
  std::string fence(std::max<std::size_t>(3, longest_backtick_run(body) + 1), '`');
  return fence + "text\n" + body + "\n" + fence + "\n\n";
}

// `text` as an inline code span: literal (no emphasis, links or HTML), on one
// line, with a fence longer than any backtick run inside. In a table cell '|'
// ends the cell even inside code, and a backslash before it would not help
// when the text itself ends in one: it becomes '¦'.
std::string md_code(std::string_view text, bool table_cell = false) {
  std::string body = one_line(text);
  if (table_cell) {
    body = replace_all(body, "|", "¦");
  }
  std::string fence(longest_backtick_run(body) + 1, '`');
  // One space inside each end is dropped by the reader; it keeps a backtick at
  // either end of the text apart from the fence.
  bool pad = body.empty() || body.front() == '`' || body.back() == '`' || body.front() == ' ' || body.back() == ' ';
  return pad ? fence + " " + body + " " + fence : fence + body + fence;
}

// The grader's own words (and lab ids) in running text: escapes what could
// start emphasis, code, a link, HTML, an entity or a table cell.
std::string md_text(std::string_view text) {
  std::string out;
  for (char c : one_line(text)) {
    if (std::string_view("\\`*_[]<>|&#!~").find(c) != std::string_view::npos) {
      out += '\\';
    }
    out += c;
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// Terminal

std::string terminal_report(const GradeResult& result, bool color, int jobs, bool details) {
  auto paint = [&](const char* code, const std::string& text) {
    return color ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
  };
  std::ostringstream out;
  out << "Submission: " << one_line(result.submission) << "\n";
  out << "Isolation:  " << one_line(result.isolation) << "\n";
  if (!result.compile_isolation.empty()) {
    out << "Compiled:   " << one_line(result.compile_isolation) << "\n";
  }
  if (!result.limits.empty()) {
    out << "Limits:     " << one_line(result.limits) << "\n";
  }
  if (result.student_copy) {
    out << kStudentCopy << "\n";
  } else if (result.public_only) {
    out << "Public tests only (--public-only): hidden tests were not run.\n";
  }
  if (result.show_hidden_details) {
    out << "Hidden tests: full failure details (--show-hidden-details).\n";
  }
  out << "\n";

  auto print_notes = [&](const LabResult& lab, const std::string& indent, std::size_t problem_lines,
                         std::size_t max_flags) {
    for (const auto& note : lab_notes(result, lab, problem_lines, max_flags)) {
      bool nested = note.starts_with("  ");
      out << indent << (nested ? note : paint("33", note)) << "\n";
    }
  };

  char line[512];
  std::snprintf(line, sizeof line, "%-14s %9s  %s\n", "Lab", "Points", "Tests");
  out << paint("1", line);
  std::size_t not_passed = 0, listed = 0;
  for (const auto& lab : result.labs) {
    Counts c = count(lab);
    not_passed += lab.tests.size() - c.passed;
    std::string points = format_points(lab.score) + "/" + format_points(lab.max_score);
    std::snprintf(line, sizeof line, "%-14s %9s  ", one_line(lab.lab).c_str(), points.c_str());
    bool good = !is_void(lab) && c.failed == 0 && c.not_run == 0;
    out << line << paint(good ? "32" : not_started(lab) ? "33" : "31", lab_state(lab)) << "\n";
    if (!details) {
      continue;
    }
    // The former report, for the instructor and for -v: every test that did
    // not pass, with the first lines of its message.
    print_notes(lab, "    ", 20, lab.flags.size());
    if (is_void(lab)) {
      continue;
    }
    for (const auto& test : lab.tests) {
      if (test.status == Status::passed) {
        continue;
      }
      ++listed;
      std::string id = behaviour_id(test.spec.name);
      out << "  " << paint("31", "✗ " + (id.empty() ? std::string("-") : id)) << "  " << one_line(test.spec.name)
          << "  (" << outcome(lab, test) << ", " << format_points(test.spec.points) << " pt"
          << (is_hidden(test) ? ", hidden test" : "") << ")\n";
      if (!is_cut_short(test)) {
        for (const auto& text : some_lines(shown_message(result, test), 6, kLineChars)) {
          out << "      " << text << "\n";
        }
      }
    }
  }
  std::string total = format_points(result.score) + "/" + format_points(result.max_score);
  std::snprintf(line, sizeof line, "%-14s %9s  %s\n", "Total", total.c_str(),
                percent(result.score, result.max_score).c_str());
  out << paint("1", line);

  if (!details) {
    // Only labs that are started list their failures: an untouched lab's line
    // already says all there is to say, and its 60 "not implemented yet" would
    // bury the failures that matter.
    std::size_t budget = kSummaryFailures;
    for (const auto& lab : result.labs) {
      std::vector<const TestResult*> failing;
      std::vector<std::string> functions;
      std::size_t unimplemented = 0;
      if (!is_void(lab) && !not_started(lab)) {
        for (const auto& test : lab.tests) {
          if (test.status == Status::passed || is_cut_short(test)) {
            continue;
          }
          if (!is_not_implemented(test)) {
            failing.push_back(&test);
            continue;
          }
          ++unimplemented;
          std::string function = unimplemented_function(test.message);
          if (!function.empty() && std::find(functions.begin(), functions.end(), function) == functions.end()) {
            functions.push_back(function);
          }
        }
      }
      auto notes = lab_notes(result, lab, 8, kFlagsInSummary);
      if (failing.empty() && unimplemented == 0 && notes.empty()) {
        continue;
      }
      std::stable_sort(failing.begin(), failing.end(), [](const TestResult* a, const TestResult* b) {
        return behaviour_order(*a) < behaviour_order(*b);
      });
      out << "\n" << paint("1", one_line(lab.lab) + ":") << "\n";
      print_notes(lab, "  ", 8, kFlagsInSummary);
      std::size_t shown = std::min(budget, failing.size());
      for (std::size_t i = 0; i < shown; ++i) {
        const TestResult& test = *failing[i];
        std::string id = behaviour_id(test.spec.name);
        char mark[64];
        std::snprintf(mark, sizeof mark, "✗ %-6s", id.empty() ? "-" : id.c_str());
        out << "  " << paint("31", mark) << " " << (is_hidden(test) ? "[hidden] " : "")
            << clip(headline(result, test), kSummaryWidth) << "\n";
      }
      budget -= shown;
      listed += shown;
      if (failing.size() > shown) {
        out << "  ... " << failing.size() - shown << " more failing test" << (failing.size() - shown == 1 ? "" : "s")
            << " (--details lists them)\n";
      }
      if (unimplemented > 0) {
        std::string names;
        for (std::size_t i = 0; i < functions.size() && i < 4; ++i) {
          names += (i > 0 ? ", " : ": ") + one_line(functions[i]);
        }
        if (functions.size() > 4) {
          names += ", ...";
        }
        out << "  ... " << unimplemented << (unimplemented == 1 ? " test stops" : " tests stop")
            << " at a function that still throws \"not implemented yet\"" << clip(names, kSummaryWidth) << "\n";
      }
    }
  }

  out << "\n";
  std::snprintf(line, sizeof line, "Time: %.1f s (build %.1f s, tests %.1f s with %d job%s)\n", result.total_seconds,
                result.build_seconds, result.test_seconds, jobs, jobs == 1 ? "" : "s");
  out << line;
  auto unfinished = std::find_if(result.labs.begin(), result.labs.end(),
                                 [](const LabResult& lab) { return !full_marks(lab); });
  if (unfinished != result.labs.end()) {
    std::string nn = lab_number(*unfinished);
    out << "next: ./ipclab check " << nn << " — then ./ipclab grade --labs " << nn << "\n";
  } else if (!result.labs.empty()) {
    out << "next: nothing — every lab graded here has full marks\n";
  }
  if (!details && not_passed > 0) {
    out << "details: add --details (or -v) to list every test that did not pass with its message";
    if (listed < not_passed) {
      out << " (" << not_passed - listed << " of " << not_passed << " are not listed above)";
    }
    out << "\n";
  }
  return out.str();
}

// ---------------------------------------------------------------------------
// Gradescope

std::string gradescope_json(const GradeResult& result) {
  using nlohmann::json;
  json tests = json::array();
  // Gradescope shows `output` as plain text only when told: its default format
  // renders some markup, and a student's bytes end up in these strings.
  std::string summary = "Score: " + format_points(result.score) + "/" + format_points(result.max_score) + " (" +
                        percent(result.score, result.max_score) + ")\n";
  summary += "Isolation: " + one_line(result.isolation) + "\n";
  if (!result.compile_isolation.empty()) {
    summary += "Compiled: " + one_line(result.compile_isolation) + "\n";
  }
  if (!result.limits.empty()) {
    summary += "Limits: " + one_line(result.limits) + "\n";
  }
  if (result.student_copy) {
    summary += std::string(kStudentCopy) + "\n";
  } else if (result.public_only) {
    summary += "Only the public tests were run.\n";
  }
  for (const auto& lab : result.labs) {
    summary += "\n" + one_line(lab.lab) + ": " + format_points(lab.score) + "/" + format_points(lab.max_score) +
               " — " + lab_state(lab) + "\n";
    for (const auto& note : lab_notes(result, lab, 30, lab.flags.size())) {
      summary += "  " + note + "\n";
    }
    for (std::size_t i = 0; i < lab.tests.size(); ++i) {
      const auto& test = lab.tests[i];
      std::string id = behaviour_id(test.spec.name);
      // The test's name stays the last word: grader/mutants/run.sh reads it.
      tests.push_back({{"name", one_line(lab.lab) + " " + (id.empty() ? "" : id + " ") + one_line(test.spec.name)},
                       {"name_format", "text"},
                       {"number", one_line(lab.lab.substr(0, 2)) + "." + std::to_string(i + 1)},
                       {"score", is_void(lab) ? 0.0 : test.score},
                       {"max_score", test.spec.points},
                       {"status", counts_as_passed(lab, test) ? "passed" : "failed"},
                       {"output", test_output(result, lab, test)},
                       {"output_format", "text"},
                       {"visibility", one_line(test.spec.visibility)}});
    }
  }
  json doc = {{"score", result.score},
              {"max_score", result.max_score},
              {"execution_time", static_cast<long long>(result.total_seconds + 0.5)},
              {"output", summary},
              {"output_format", "text"},
              {"test_output_format", "text"},
              {"test_name_format", "text"},
              {"stdout_visibility", "hidden"},
              {"tests", tests}};
  return doc.dump(2) + "\n";
}

// ---------------------------------------------------------------------------
// JUnit

std::string junit_xml(const GradeResult& result) {
  std::ostringstream out;
  std::size_t total = 0, failures = 0;
  for (const auto& lab : result.labs) {
    for (const auto& test : lab.tests) {
      ++total;
      failures += !counts_as_passed(lab, test);
    }
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"ipclab\" tests=\"" << total << "\" failures=\"" << failures << "\">\n";
  for (const auto& lab : result.labs) {
    std::size_t lab_failures = 0;
    for (const auto& test : lab.tests) {
      lab_failures += !counts_as_passed(lab, test);
    }
    out << "  <testsuite name=\"" << xml_attribute(lab.lab) << "\" tests=\"" << lab.tests.size() << "\" failures=\""
        << lab_failures << "\">\n";
    for (const auto& test : lab.tests) {
      auto dot = test.spec.name.find('.');
      std::string suite = dot == std::string::npos ? test.spec.name : test.spec.name.substr(0, dot);
      std::string name = dot == std::string::npos ? test.spec.name : test.spec.name.substr(dot + 1);
      char time[32];
      std::snprintf(time, sizeof time, "%.3f", test.seconds);
      out << "    <testcase classname=\"" << xml_attribute(lab.lab + "." + suite) << "\" name=\""
          << xml_attribute(name) << "\" time=\"" << time << "\"";
      if (counts_as_passed(lab, test)) {
        out << "/>\n";
        continue;
      }
      out << ">\n      <failure message=\"" << xml_attribute(outcome(lab, test)) << "\">"
          << xml_escape(test_output(result, lab, test)) << "</failure>\n    </testcase>\n";
    }
    // What concerns the lab as a whole (why it scored 0, why it was cut short,
    // the flags for review) has no test of its own: the suite's output holds it.
    auto notes = lab_notes(result, lab, 30, lab.flags.size());
    if (!notes.empty()) {
      out << "    <system-out>";
      for (const auto& note : notes) {
        out << xml_escape(note) << "\n";
      }
      out << "</system-out>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return out.str();
}

// ---------------------------------------------------------------------------
// Markdown feedback

std::string markdown_feedback(const GradeResult& result) {
  std::ostringstream out;
  out << "# ipclab feedback\n\n";
  out << "**Score: " << format_points(result.score) << " / " << format_points(result.max_score) << "** ("
      << md_text(percent(result.score, result.max_score)) << ")\n\n";
  if (result.student_copy) {
    out << md_text(kStudentCopy) << "\n\n";
  } else if (result.public_only) {
    out << "Only the public tests were run.\n\n";
  }
  for (const auto& lab : result.labs) {
    out << "## " << md_text(lab.lab) << " — " << format_points(lab.score) << " / " << format_points(lab.max_score)
        << "\n\n";
    if (!lab.problem.empty()) {
      out << "**This lab scored 0 because it could not be graded:**\n\n"
          << md_block(without_root(lab.problem, result.course_root));
    }
    if (lab.forged) {
      out << "**This lab scored 0: forged report.** Its test process wrote its own report (a negative control "
             "passed), so every result of this lab is void.\n\n";
      if (!lab.forged_why.empty()) {
        out << md_block(without_root(lab.forged_why, result.course_root));
      }
    }
    if (!lab.cut_short.empty()) {
      out << "**Cut short:** the tests marked \"not run (cut short)\" were not run, because:\n\n"
          << md_block(cut_short_reason(result, lab));
    }
    if (!lab.flags.empty()) {
      std::string flags;
      for (const auto& flag : lab.flags) {
        flags += one_line(without_root(flag, result.course_root)) + "\n";
      }
      out << "**Flagged for review (does not change the score):**\n\n" << md_block(flags);
    }
    if (is_void(lab)) {
      continue;
    }
    if (not_started(lab)) {
      out << "Not started: every function still throws \"not implemented yet\".\n\n";
    }
    out << "| Behaviour | Test | Points | Result |\n|---|---|---|---|\n";
    for (const auto& test : lab.tests) {
      std::string id = behaviour_id(test.spec.name);
      out << "| " << (id.empty() ? "—" : id) << " | " << md_code(test.spec.name, true)
          << (is_hidden(test) ? " (hidden)" : "") << " | " << format_points(test.score) << " / "
          << format_points(test.spec.points) << " | "
          << (test.status == Status::passed ? "✓ passed" : "✗ " + outcome(lab, test)) << " |\n";
    }
    out << "\n";
    for (const auto& test : lab.tests) {
      if (test.status == Status::passed || is_cut_short(test)) {
        continue;
      }
      std::string id = behaviour_id(test.spec.name);
      out << "### " << (id.empty() ? "" : id + " — ") << md_code(test.spec.name) << " (" << outcome(lab, test)
          << (is_hidden(test) ? ", hidden test" : "") << ")\n\n"
          << md_block(first_lines(shown_message(result, test), 40));
    }
  }
  out << "---\n\n";
  out << "- Isolation: " << md_text(result.isolation) << "\n";
  if (!result.compile_isolation.empty()) {
    out << "- Compiled: " << md_text(result.compile_isolation) << "\n";
  }
  if (!result.limits.empty()) {
    out << "- Limits: " << md_text(result.limits) << "\n";
  }
  return out.str();
}

}  // namespace grader
