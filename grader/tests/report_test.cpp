// The reports: Gradescope's fields, behaviour ids, escaping against a hostile
// submission, hidden tests kept hidden, the fields of forged, cut-short and
// flagged labs, and the summary a student reads first.
#include "report.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>

#include "util.hpp"

namespace grader {
namespace {

TestResult make_test(const std::string& name, Binary binary, Status status, const std::string& message) {
  bool passed = status == Status::passed;
  return {{name, binary, 1, binary == Binary::hidden_tests ? "after_due_date" : "visible", {}},
          status,
          passed ? 1.0 : 0.0,
          message,
          0.1};
}

// Sets the scores from the tests, as grade() does.
GradeResult& total(GradeResult& result) {
  result.score = result.max_score = 0;
  for (auto& lab : result.labs) {
    lab.score = lab.max_score = 0;
    for (const auto& test : lab.tests) {
      lab.score += lab.forged || !lab.problem.empty() ? 0 : test.score;
      lab.max_score += test.spec.points;
    }
    result.score += lab.score;
    result.max_score += lab.max_score;
  }
  return result;
}

GradeResult sample() {
  GradeResult result;
  result.isolation = "none";
  LabResult lab;
  lab.lab = "01-fifo";
  lab.tests.push_back(make_test("FifoIo.B1_10_A", Binary::public_tests, Status::passed, ""));
  lab.tests.push_back(make_test("FifoIo.B1_11_B", Binary::public_tests, Status::failed, "<bad> & \x01"));
  result.labs.push_back(lab);
  return total(result);
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) {
    ++n;
  }
  return n;
}

std::vector<std::string> lines_of(const std::string& text) { return split_lines(text); }

// ---------------------------------------------------------------------------
// A reader of each format's structure, as small as the checks need.

// Markdown: the headings and the code blocks (opened and closed) outside code,
// and the lines outside code blocks, as a CommonMark reader sees them.
struct MarkdownShape {
  std::size_t headings = 0, blocks = 0, table_rows = 0;
  bool unclosed = false;
  std::vector<std::string> outside;  // lines that are not in a code block
};

MarkdownShape markdown_shape(const std::string& markdown) {
  MarkdownShape shape;
  std::size_t fence = 0;  // length of the open fence, 0 when none
  for (const auto& line : lines_of(markdown)) {
    std::size_t run = 0;
    while (run < line.size() && line[run] == '`') {
      ++run;
    }
    if (fence == 0 && run >= 3) {
      fence = run;
      ++shape.blocks;
      continue;
    }
    if (fence > 0) {
      // Closed by backticks only, at least as many, and nothing else on the line.
      if (run >= fence && line.find_first_not_of('`') == std::string::npos) {
        fence = 0;
      }
      continue;
    }
    shape.outside.push_back(line);
    shape.headings += line.starts_with("#");
    shape.table_rows += line.starts_with("|");
  }
  shape.unclosed = fence > 0;
  return shape;
}

// `line` without its code spans (a run of n backticks up to the next run of
// exactly n): what a Markdown reader would interpret.
std::string outside_code_spans(const std::string& line) {
  std::string out;
  for (std::size_t i = 0; i < line.size();) {
    if (line[i] != '`') {
      out += line[i++];
      continue;
    }
    std::size_t n = line.find_first_not_of('`', i) - i;
    std::size_t close = i + n;
    for (;;) {
      close = line.find(std::string(n, '`'), close);
      if (close == std::string::npos || close + n >= line.size() || line[close + n] != '`') {
        break;
      }
      close = line.find_first_not_of('`', close);
    }
    if (close == std::string::npos) {
      return out + line.substr(i);  // no closing run: the backticks are text
    }
    out += "<code>";
    i = close + n;
  }
  return out;
}

// The cells of a GitHub table row: '|' not preceded by a backslash splits them.
std::size_t table_cells(const std::string& row) {
  std::size_t bars = 0;
  for (std::size_t i = 0; i < row.size(); ++i) {
    bars += row[i] == '|' && (i == 0 || row[i - 1] != '\\');
  }
  return bars - 1;
}

// XML: the sequence of elements as a parser meets them ("<a", "</a"), or
// "malformed" when a tag does not close where it should. Text and attribute
// values must hold no '<' or '>', which the escaping guarantees.
std::vector<std::string> xml_elements(const std::string& xml) {
  std::vector<std::string> events, open;
  for (std::size_t at = xml.find('<'); at != std::string::npos; at = xml.find('<', at + 1)) {
    std::size_t end = xml.find('>', at);
    if (end == std::string::npos) {
      return {"malformed"};
    }
    std::string tag = xml.substr(at + 1, end - at - 1);
    if (tag.starts_with("?")) {
      continue;
    }
    if (tag.find('<') != std::string::npos) {
      return {"malformed"};
    }
    bool closing = tag.starts_with("/"), empty = tag.ends_with("/");
    std::string name = tag.substr(closing, tag.find_first_of(" /", closing) - closing);
    if (closing) {
      if (open.empty() || open.back() != name) {
        return {"malformed"};
      }
      open.pop_back();
      events.push_back("</" + name);
    } else {
      events.push_back("<" + name);
      if (!empty) {
        open.push_back(name);
      } else {
        events.push_back("</" + name);
      }
    }
  }
  if (!open.empty()) {
    return {"malformed"};
  }
  return events;
}

// Bytes XML 1.0 forbids, and the escape character anywhere.
bool has_forbidden_bytes(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto b = static_cast<unsigned char>(c);
    return b == 0x1B || b == 0x7F || (b < 0x20 && b != '\n' && b != '\t');
  });
}

// ---------------------------------------------------------------------------

TEST(Report, BehaviourIdsComeFromTestNames) {
  EXPECT_EQ(behaviour_id("FifoIo.B1_14_SendMessage"), "B1.14");
  EXPECT_EQ(behaviour_id("FifoIo.NoId"), "");
}

TEST(Report, GradescopeHasEveryField) {
  auto doc = nlohmann::json::parse(gradescope_json(sample()));
  EXPECT_EQ(doc["score"], 1);
  EXPECT_EQ(doc["max_score"], 2);
  EXPECT_EQ(doc["stdout_visibility"], "hidden");
  // Plain text everywhere: Gradescope's default format would render markup.
  EXPECT_EQ(doc["output_format"], "text");
  EXPECT_EQ(doc["test_output_format"], "text");
  EXPECT_EQ(doc["test_name_format"], "text");
  ASSERT_EQ(doc["tests"].size(), 2u);
  EXPECT_EQ(doc["tests"][1]["status"], "failed");
  EXPECT_EQ(doc["tests"][1]["visibility"], "visible");
  for (const char* key : {"name", "number", "score", "max_score", "output", "output_format", "name_format"}) {
    EXPECT_TRUE(doc["tests"][0].contains(key)) << key;
  }
  EXPECT_EQ(doc["tests"][1]["output_format"], "text");
  // grader/mutants/run.sh takes the test's name as the last word.
  EXPECT_TRUE(doc["tests"][1]["name"].get<std::string>().ends_with(" FifoIo.B1_11_B"));
}

TEST(Report, JunitEscapesMessages) {
  std::string xml = junit_xml(sample());
  EXPECT_NE(xml.find("&lt;bad&gt; &amp; ?"), std::string::npos);
  EXPECT_NE(xml.find("failures=\"1\""), std::string::npos);
}

TEST(Report, PrintableKeepsTextAndReplacesWhatCouldDriveATerminalOrBreakAFormat) {
  EXPECT_EQ(printable("a—✗\tb\nc"), "a—✗\tb\nc");
  EXPECT_EQ(printable("\x1b[2J"), "?[2J");
  EXPECT_EQ(printable("a\rb\x7f"), "ab?");
  EXPECT_EQ(printable("\xc2\x9b" "31m"), "?31m");           // C1 CSI
  EXPECT_EQ(printable("x\xe2\x80\xaey"), "x?y");             // right-to-left override
  EXPECT_EQ(printable("x\xe2\x80\xa8y"), "x?y");             // line separator
  EXPECT_EQ(printable("\xc0\xaf"), "??");                    // overlong '/'
  EXPECT_EQ(printable("\xed\xa0\x80"), "???");               // a surrogate
  EXPECT_EQ(printable("\xef\xbf\xbf"), "?");                 // U+FFFF, not XML
  EXPECT_EQ(printable("\xf4\x90\x80\x80"), "????");          // above U+10FFFF
  EXPECT_EQ(printable("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");  // an emoji stays
  EXPECT_EQ(printable("\xe2\x80"), "??");                    // cut short
}

// ---------------------------------------------------------------------------
// 1. A hostile submission cannot change a report's structure.

// What the issue saw: a folder name with a newline and a fence that closed the
// feedback's code block and added a heading; plus terminal escapes, a closing
// XML tag, a table cell separator, HTML, a link and bytes that are not UTF-8.
const std::string kHostile =
    "evil\n```\n# 53 / 53, manual override by TA\n\x1b[2J\x1b]0;owned\x07</failure></testcase><b>|x|</b>"
    " [click](http://example.com) ~~~\n````````\n\xc2\x9b" "31m\xff\xfe\n\n## fake\n| a | b |\n";

// A result of the same shape with `text` wherever a submission can put bytes.
GradeResult shaped(const std::string& text, bool hidden_details = false) {
  GradeResult result;
  result.submission = "/submissions/" + text;
  result.isolation = "bubblewrap";
  result.compile_isolation = "bubblewrap, uid 62000";
  result.limits = "cgroup v2: 1 GiB, 128 processes";
  result.show_hidden_details = hidden_details;
  LabResult lab;
  lab.lab = "01-fifo";
  lab.tests.push_back(make_test("FifoIo.B1_10_Passes", Binary::public_tests, Status::passed, ""));
  lab.tests.push_back(make_test("FifoIo.B1_11_" + text, Binary::public_tests, Status::failed,
                                "labs/01-fifo/tests/fifo_io_test.cpp:12\n" + text));
  lab.tests.push_back(make_test("FifoIoHidden.B1_12_Hidden", Binary::hidden_tests, Status::failed,
                                "grader/hidden/01-fifo/x_hidden_test.cpp:3\nB1.12: " + text));
  lab.tests.push_back(make_test("FifoIo.B1_13_Crash", Binary::public_tests, Status::crashed,
                                "the test was killed by SIGSEGV\n  last lines of its output:\n    " + text));
  lab.flags.push_back("labs/01-fifo/src/fifo_io.cpp:1: reads /proc/self: `" + text + "`");
  lab.cut_short = "cut short: the budget ran out " + text;
  lab.tests.push_back(make_test("FifoIo.B1_14_Later", Binary::public_tests, Status::not_run, "cut short"));
  result.labs.push_back(lab);
  LabResult broken;
  broken.lab = "02-sysv-msg";
  broken.problem = "labs/02-sysv-msg/src/" + text + ".cpp: error: " + text;
  broken.tests.push_back(make_test("SysvQueue.B2_1_A", Binary::public_tests, Status::not_run, "not run"));
  result.labs.push_back(broken);
  LabResult forged;
  forged.lab = "03-mqueue";
  forged.forged = true;
  forged.forged_why = "Controls.B3_0_MustFail passed: " + text;
  forged.tests.push_back(make_test("MqOpen.B3_1_A", Binary::public_tests, Status::passed, ""));
  result.labs.push_back(forged);
  return total(result);
}

TEST(Report, MarkdownKeepsItsStructureWhateverTheText) {
  for (bool hidden_details : {false, true}) {
    std::string benign = markdown_feedback(shaped("benign", hidden_details));
    std::string hostile = markdown_feedback(shaped(kHostile, hidden_details));
    MarkdownShape expected = markdown_shape(benign), got = markdown_shape(hostile);
    EXPECT_FALSE(got.unclosed);
    EXPECT_EQ(got.headings, expected.headings) << hostile;
    EXPECT_EQ(got.blocks, expected.blocks) << hostile;
    EXPECT_EQ(got.table_rows, expected.table_rows) << hostile;
    EXPECT_EQ(got.outside.size(), expected.outside.size()) << hostile;
    for (const auto& line : got.outside) {
      // Outside code blocks, the student's text is only ever inside a code span.
      std::string read = outside_code_spans(line);
      for (const char* markup : {"# 53", "<b>", "</failure>", "](http", "|x|", "~~~"}) {
        EXPECT_EQ(read.find(markup), std::string::npos) << markup << " in " << line;
      }
      if (line.starts_with("|")) {
        EXPECT_EQ(table_cells(line), 4u) << line;
      }
    }
    EXPECT_FALSE(has_forbidden_bytes(hostile));
  }
}

TEST(Report, JunitKeepsItsStructureWhateverTheText) {
  for (bool hidden_details : {false, true}) {
    std::string benign = junit_xml(shaped("benign", hidden_details));
    std::string hostile = junit_xml(shaped(kHostile, hidden_details));
    auto expected = xml_elements(benign);
    ASSERT_NE(expected, std::vector<std::string>{"malformed"});
    EXPECT_EQ(xml_elements(hostile), expected) << hostile;
    EXPECT_FALSE(has_forbidden_bytes(hostile)) << hostile;
  }
}

TEST(Report, GradescopeIsPlainTextWithoutControlCharacters) {
  auto doc = nlohmann::json::parse(gradescope_json(shaped(kHostile, true)));
  std::vector<std::string> texts = {doc["output"].get<std::string>()};
  for (const auto& test : doc["tests"]) {
    EXPECT_EQ(test["output_format"], "text");
    texts.push_back(test["output"].get<std::string>());
    texts.push_back(test["name"].get<std::string>());
    EXPECT_EQ(test["name"].get<std::string>().find('\n'), std::string::npos);
  }
  for (const auto& text : texts) {
    EXPECT_FALSE(has_forbidden_bytes(text)) << text;
  }
}

TEST(Report, TerminalShowsNoEscapeAndNoLineTheSubmissionStarted) {
  for (bool details : {false, true}) {
    std::string benign = terminal_report(shaped("benign", true), false, 1, details);
    std::string hostile = terminal_report(shaped(kHostile, true), false, 1, details);
    EXPECT_FALSE(has_forbidden_bytes(hostile)) << hostile;
    // The report's own lines are the same; the student's text only ever
    // continues a line, or fills lines indented under a test.
    auto benign_lines = lines_of(benign), hostile_lines = lines_of(hostile);
    auto unindented = [](const std::vector<std::string>& lines) {
      return std::count_if(lines.begin(), lines.end(), [](const std::string& l) { return !l.starts_with(" "); });
    };
    EXPECT_EQ(unindented(hostile_lines), unindented(benign_lines)) << hostile;
    for (const auto& line : hostile_lines) {
      EXPECT_FALSE(line.starts_with("# ") || line.starts_with("## ") || line.starts_with("```")) << line;
    }
    EXPECT_EQ(count_of(hostile, "\nTotal "), 1u);
  }
  // With colour, the only escapes are the grader's own.
  std::string colored = terminal_report(shaped(kHostile, true), true, 1, true);
  EXPECT_EQ(colored.find("\x1b[2J"), std::string::npos);
  EXPECT_EQ(colored.find("\x1b]"), std::string::npos);
}

// ---------------------------------------------------------------------------
// 2. Hidden tests stay hidden.

const std::string kHiddenFailure =
    "/course/grader/hidden/01-fifo/fifo_io_hidden_test.cpp:123\n"
    "Expected equality of these values:\n"
    "  mode\n"
    "    Which is: 420\n"
    "  0600\n"
    "B1.2: the FIFO must be created with mode 0600; child 'maker' said "
    "/course/grader/hidden/01-fifo/fifo_io_hidden_test.cpp:77: boom\n"
    "secret output of the test\n";

GradeResult hidden_sample(bool hidden_details) {
  GradeResult result;
  result.isolation = "none";
  result.course_root = "/course";
  result.show_hidden_details = hidden_details;
  LabResult lab;
  lab.lab = "01-fifo";
  lab.tests.push_back(make_test("FifoOpen.B1_1_Public", Binary::public_tests, Status::failed,
                                "/course/labs/01-fifo/tests/fifo_open_test.cpp:12\nValue of: ok\nB1.1: public"));
  lab.tests.push_back(make_test("FifoOpenHidden.B1_2_Mode", Binary::hidden_tests, Status::failed, kHiddenFailure));
  lab.tests.push_back(make_test("FifoOpenHidden.B1_3_NoWords", Binary::hidden_tests, Status::failed,
                                "/course/grader/hidden/01-fifo/fifo_open_hidden_test.cpp:9\nValue of: x\n  Actual: "
                                "false\nExpected: true"));
  lab.tests.push_back(make_test("FifoOpenHidden.B1_4_Hangs", Binary::hidden_tests, Status::timed_out,
                                "timed out after 10 s: the test was blocked in read (reading an empty pipe waits "
                                "for a writer)"));
  lab.tests.push_back(make_test("FifoOpenHidden.B1_5_Dies", Binary::hidden_tests, Status::crashed,
                                "the test was killed by SIGSEGV (an invalid memory access)\n  last lines of its "
                                "output:\n    secret crash output"));
  // The test quotes a child process that explains (labs/common/testing).
  lab.tests.push_back(make_test("FifoIoHidden.B1_6_Child", Binary::hidden_tests, Status::failed,
                                "/course/grader/hidden/01-fifo/fifo_io_hidden_test.cpp:206\nFailed\nchild 'writer' "
                                "exited with status 1: B1.6: the reader left early"));
  result.labs.push_back(lab);
  return total(result);
}

// Every report, as text (Gradescope's as the strings it holds).
std::vector<std::string> all_reports(const GradeResult& result) {
  auto doc = nlohmann::json::parse(gradescope_json(result));
  std::string gradescope = doc["output"].get<std::string>();
  for (const auto& test : doc["tests"]) {
    gradescope += '\n';
    gradescope += test["output"].get<std::string>();
  }
  return {terminal_report(result, false, 1, false), terminal_report(result, false, 1, true), gradescope,
          junit_xml(result), markdown_feedback(result)};
}

TEST(Report, HiddenFailuresShowOnlyTheirExplanationByDefault) {
  for (const auto& report : all_reports(hidden_sample(false))) {
    EXPECT_NE(report.find("the FIFO must be created with mode 0600"), std::string::npos) << report;
    EXPECT_NE(report.find("this hidden test of B1.3 failed"), std::string::npos) << report;
    EXPECT_NE(report.find("timed out after 10 s: the test was blocked in read"), std::string::npos) << report;
    EXPECT_NE(report.find("killed by SIGSEGV"), std::string::npos) << report;
    EXPECT_NE(report.find("the reader left early"), std::string::npos) << report;
    for (const char* secret : {"hidden_test.cpp", ":123", ":77", "Expected equality", "Which is:", "Value of: x",
                               "secret output", "secret crash output", "/course/"}) {
      EXPECT_EQ(report.find(secret), std::string::npos) << secret << " in\n" << report;
    }
    // Public tests keep their location, relative to the course.
    if (report.find("Value of: ok") != std::string::npos) {
      EXPECT_NE(report.find("labs/01-fifo/tests/fifo_open_test.cpp:12"), std::string::npos) << report;
    }
  }
}

TEST(Report, HiddenDetailsShowEverythingForTheInstructor) {
  auto reports = all_reports(hidden_sample(true));
  // The terminal shows one line per test, or with details the first lines of
  // each message; the files show all of it.
  EXPECT_NE(reports[1].find("grader/hidden/01-fifo/fifo_io_hidden_test.cpp:123"), std::string::npos) << reports[1];
  EXPECT_NE(reports[1].find("Which is: 420"), std::string::npos) << reports[1];
  reports.erase(reports.begin(), reports.begin() + 2);
  for (const auto& report : reports) {
    for (const char* detail : {"grader/hidden/01-fifo/fifo_io_hidden_test.cpp:123", "Expected equality",
                               "Which is: 420", "secret output", "secret crash output", "Value of: x"}) {
      EXPECT_NE(report.find(detail), std::string::npos) << detail << " not in\n" << report;
    }
    EXPECT_EQ(report.find("/course/"), std::string::npos) << report;
  }
}

// ---------------------------------------------------------------------------
// 3. Forged, cut short, flagged; how the tests were isolated.

TEST(Report, ForgedCutShortAndFlaggedLabsSaySoInEveryReport) {
  GradeResult result = shaped("text");
  auto doc = nlohmann::json::parse(gradescope_json(result));
  std::string summary = doc["output"].get<std::string>();
  for (const auto& report : all_reports(result)) {
    EXPECT_NE(report.find("forged report"), std::string::npos) << report;
    EXPECT_NE(report.find("Controls.B3_0_MustFail passed"), std::string::npos) << report;
    EXPECT_NE(report.find("the budget ran out text"), std::string::npos) << report;
    EXPECT_EQ(report.find("cut short: cut short"), std::string::npos) << report;
    EXPECT_NE(report.find("lagged for review (does not change the score)"), std::string::npos) << report;
    EXPECT_NE(report.find("reads /proc/self"), std::string::npos) << report;
  }
  EXPECT_NE(summary.find("forged report"), std::string::npos);
  EXPECT_NE(summary.find("reads /proc/self"), std::string::npos);
  for (const auto& test : doc["tests"]) {
    std::string name = test["name"];
    if (name.starts_with("03-mqueue")) {
      // Its test "passed", but the lab's verdicts are void.
      EXPECT_EQ(test["status"], "failed");
      EXPECT_EQ(test["score"], 0);
      EXPECT_NE(test["output"].get<std::string>().find("forged report"), std::string::npos);
    }
    if (name.ends_with("B1_14_Later")) {
      EXPECT_NE(test["output"].get<std::string>().find("not run (cut short)"), std::string::npos);
    }
  }
  EXPECT_NE(markdown_feedback(result).find("✗ not run (cut short)"), std::string::npos);
  EXPECT_NE(junit_xml(result).find("message=\"not run (cut short)\""), std::string::npos);
  // The cut is said once per lab in the terminal, not once per test.
  EXPECT_EQ(count_of(terminal_report(result, false, 1, true), "cut short: the budget ran out text"), 1u);
  EXPECT_EQ(count_of(terminal_report(result, false, 1, false), "cut short: the budget ran out text"), 1u);
  // The flags of a lab go to its suite's output in JUnit.
  std::string xml = junit_xml(result);
  auto out = xml.find("<system-out>");
  ASSERT_NE(out, std::string::npos);
  EXPECT_LT(out, xml.find("reads /proc/self"));
}

TEST(Report, IsolationOfCompilationAndLimitsAreShown) {
  GradeResult result = shaped("text");
  std::string terminal = terminal_report(result, false, 1, false);
  EXPECT_NE(terminal.find("Compiled:   bubblewrap, uid 62000"), std::string::npos);
  EXPECT_NE(terminal.find("Limits:     cgroup v2: 1 GiB, 128 processes"), std::string::npos);
  std::string summary = nlohmann::json::parse(gradescope_json(result))["output"];
  EXPECT_NE(summary.find("Compiled: bubblewrap, uid 62000"), std::string::npos);
  EXPECT_NE(summary.find("Limits: cgroup v2: 1 GiB, 128 processes"), std::string::npos);
  std::string markdown = markdown_feedback(result);
  EXPECT_NE(markdown.find("- Compiled: bubblewrap, uid 62000"), std::string::npos);
  EXPECT_NE(markdown.find("- Limits: cgroup v2: 1 GiB, 128 processes"), std::string::npos);
}

// ---------------------------------------------------------------------------
// 4. The summary a student reads first.

const char* const kLabs[] = {"01-fifo", "02-sysv-msg", "03-mqueue", "04-mq-blocking"};

std::string not_implemented(int i) {
  return "unknown file\nC++ exception with description \"not implemented yet: ns::function" + std::to_string(i % 7) +
         " — a hint\" thrown in the test body.";
}

// The untouched skeleton: every test of every lab fails on "not implemented yet".
GradeResult skeleton() {
  GradeResult result;
  result.submission = "/work/course/labs";
  result.isolation = "bubblewrap";
  for (int l = 0; l < 4; ++l) {
    LabResult lab;
    lab.lab = kLabs[l];
    for (int i = 1; i <= 60; ++i) {
      std::string name = "Suite.B" + std::to_string(l + 1) + "_" + std::to_string(i % 20 + 1) + "_Test" +
                         std::to_string(i);
      lab.tests.push_back(make_test(name, i % 3 ? Binary::public_tests : Binary::hidden_tests, Status::failed,
                                    not_implemented(i)));
    }
    result.labs.push_back(lab);
  }
  return total(result);
}

TEST(Report, TheUntouchedSkeletonFitsOnAScreen) {
  GradeResult result = skeleton();
  std::string report = terminal_report(result, false, 2, false);
  auto lines = lines_of(report);
  EXPECT_LE(lines.size(), 40u) << report;
  EXPECT_EQ(count_of(report, "not started: every function still throws \"not implemented yet\""), 4u) << report;
  // An untouched lab's line says it all: nothing under it.
  EXPECT_EQ(count_of(report, "✗"), 0u) << report;
  EXPECT_EQ(count_of(report, "stop at a function"), 0u) << report;
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[lines.size() - 2], "next: ./ipclab check 01 — then ./ipclab grade --labs 01");
  EXPECT_NE(lines.back().find("--details"), std::string::npos) << lines.back();
}

TEST(Report, DetailsListEveryFailingTest) {
  GradeResult result = skeleton();
  std::string report = terminal_report(result, false, 2, true);
  EXPECT_EQ(count_of(report, "✗"), 240u);
  for (const auto& lab : result.labs) {
    for (const auto& test : lab.tests) {
      EXPECT_NE(report.find(test.spec.name + "  ("), std::string::npos) << test.spec.name;
    }
  }
  EXPECT_NE(report.find("not implemented yet: ns::function3"), std::string::npos);
}

TEST(Report, AStartedLabListsItsFailuresOneLineEach) {
  GradeResult result = skeleton();
  LabResult& lab = result.labs[1];  // 02: ten tests pass, three fail for real
  for (int i = 0; i < 10; ++i) {
    lab.tests[static_cast<std::size_t>(i)].status = Status::passed;
    lab.tests[static_cast<std::size_t>(i)].score = 1;
  }
  lab.tests[10] = make_test("SysvSend.B2_9_FullQueueIsEagain", Binary::public_tests, Status::failed,
                            "/work/course/labs/02-sysv-msg/tests/send_test.cpp:40\nExpected: ...\n"
                            "B2.9: expected msgsnd to fail with EAGAIN on a full queue");
  lab.tests[11] = make_test("SysvRecv.B2_3_Blocks", Binary::public_tests, Status::timed_out,
                            "timed out after 10 s: the test was blocked in msgrcv (waiting for a message)");
  lab.tests[12] = make_test("SysvRecvHidden.B2_4_Hidden", Binary::hidden_tests, Status::failed,
                            "grader/hidden/02/x_hidden_test.cpp:5\nValue of: y\nB2.4: the type selects the message");
  GradeResult full = total(result);
  // Lab 01 is all done, so the next step is lab 02.
  for (auto& test : full.labs[0].tests) {
    test.status = Status::passed;
    test.score = 1;
  }
  total(full);
  std::string report = terminal_report(full, false, 2, false);
  auto lines = lines_of(report);
  EXPECT_LE(lines.size(), 40u) << report;
  EXPECT_NE(report.find("02-sysv-msg        10/60  10 passed, 50 failed"), std::string::npos) << report;
  EXPECT_NE(report.find("  ✗ B2.3   timed out after 10 s: the test was blocked in msgrcv"), std::string::npos)
      << report;
  EXPECT_NE(report.find("  ✗ B2.4   [hidden] the type selects the message"), std::string::npos) << report;
  EXPECT_NE(report.find("  ✗ B2.9   expected msgsnd to fail with EAGAIN on a full queue"), std::string::npos)
      << report;
  // Sorted by behaviour: B2.3, B2.4, B2.9.
  EXPECT_LT(report.find("✗ B2.3"), report.find("✗ B2.4"));
  EXPECT_LT(report.find("✗ B2.4"), report.find("✗ B2.9"));
  EXPECT_NE(report.find("47 tests stop at a function that still throws \"not implemented yet\": ns::function"),
            std::string::npos)
      << report;
  EXPECT_EQ(count_of(report, "not started"), 2u) << report;  // 03 and 04
  EXPECT_NE(report.find("next: ./ipclab check 02 — then ./ipclab grade --labs 02"), std::string::npos) << report;
  EXPECT_EQ(report.find("send_test.cpp"), std::string::npos) << report;
}

TEST(Report, ManyFailuresStopAtAScreenful) {
  GradeResult result;
  result.isolation = "none";
  LabResult lab;
  lab.lab = "01-fifo";
  for (int i = 1; i <= 100; ++i) {
    lab.tests.push_back(make_test("S.B1_" + std::to_string(i) + "_T", Binary::public_tests, Status::failed,
                                  "x_test.cpp:1\nB1." + std::to_string(i) + ": wrong"));
  }
  result.labs.push_back(lab);
  std::string report = terminal_report(total(result), false, 1, false);
  EXPECT_LE(lines_of(report).size(), 40u) << report;
  EXPECT_NE(report.find("... 80 more failing tests (--details lists them)"), std::string::npos) << report;
  EXPECT_NE(report.find("80 of 100"), std::string::npos) << report;
}

// std::regex recurses per character: a test's 64 KiB line of output must not
// overflow the grader's stack on its way into a report.
TEST(Report, HugeLinesDoNotTakeTheReportsDown) {
  std::string huge(200000, 'a');
  GradeResult result;
  result.isolation = "none";
  LabResult lab;
  lab.lab = "01-fifo";
  lab.tests.push_back(make_test("S.B1_1_Passes", Binary::public_tests, Status::passed, ""));
  lab.tests.push_back(make_test("S.B1_2_Public", Binary::public_tests, Status::failed, huge + ":1\n" + huge));
  lab.tests.push_back(make_test("S.B1_3_Hidden", Binary::hidden_tests, Status::failed,
                                "x.cpp:1\nB1.3: " + huge + "\nchild 'c' exited with status 1: B1.3: " + huge));
  lab.tests.push_back(make_test("S.B1_4_Todo", Binary::public_tests, Status::failed, "not implemented yet: " + huge));
  result.labs.push_back(lab);
  total(result);
  std::string report = terminal_report(result, false, 1, false);
  EXPECT_LE(lines_of(report).size(), 40u);
  EXPECT_NE(report.find("✗ B1.3   [hidden] " + std::string(50, 'a')), std::string::npos) << report;
  // The files keep a public test's whole message (the grader keeps 64 KiB of
  // output per test); a hidden test's explanation is capped.
  for (const auto& text : all_reports(result)) {
    EXPECT_EQ(text.find("B1.3: " + std::string(400, 'a')), std::string::npos);
  }
}

TEST(Report, FullMarksSayThereIsNothingLeft) {
  GradeResult result = sample();
  result.labs[0].tests[1].status = Status::passed;
  result.labs[0].tests[1].score = 1;
  std::string report = terminal_report(total(result), false, 1, false);
  EXPECT_NE(report.find("every lab graded here has full marks"), std::string::npos) << report;
  EXPECT_EQ(report.find("--details"), std::string::npos) << report;
}

// A student copy of the course (./ipclab release) has the public tests only:
// every report says once that the instructor grades more, and the terminal
// points only at commands a student copy has.
TEST(Report, AStudentCopySaysTheInstructorGradesMore) {
  GradeResult result = skeleton();
  for (auto& lab : result.labs) {
    std::erase_if(lab.tests, [](const TestResult& test) { return test.spec.binary == Binary::hidden_tests; });
  }
  total(result);
  result.student_copy = true;
  const std::string line =
      "Public tests only: your instructor grades the same files with more (hidden) tests of the same behaviours.";
  std::string terminal = terminal_report(result, false, 2, false);
  EXPECT_EQ(count_of(terminal, line), 1u) << terminal;
  EXPECT_EQ(count_of(terminal, "hidden"), 1u) << terminal;  // that line only
  for (const char* absent : {"./ipclab test", "--public-only", "solutions", "grader/"}) {
    EXPECT_EQ(terminal.find(absent), std::string::npos) << absent << "\n" << terminal;
  }
  EXPECT_NE(terminal.find("next: ./ipclab check 01"), std::string::npos) << terminal;
  EXPECT_NE(nlohmann::json::parse(gradescope_json(result))["output"].get<std::string>().find(line), std::string::npos);
  EXPECT_NE(markdown_feedback(result).find("Public tests only: your instructor grades"), std::string::npos);
  // Also with --public-only, which a student copy makes no different.
  result.public_only = true;
  EXPECT_EQ(terminal_report(result, false, 2, false), terminal);
}


TEST(Report, AFailureShowsItsExplanationBeforeGoogleTestsDetails) {
  GradeResult result;
  result.isolation = "none";
  result.course_root = "/course";
  LabResult lab;
  lab.lab = "03-mqueue";
  lab.tests.push_back(make_test("MqOpen.B3_17_Owner", Binary::public_tests, Status::failed,
                                "/course/labs/03-mqueue/tests/mq_open_test.cpp:161\n"
                                "Value of: is_open(fd)\n  Actual: true\nExpected: false\n"
                                "B3.17: ~Queue must close the descriptor (mq_close)"));
  result.labs.push_back(lab);
  total(result);
  for (const std::string& report : {terminal_report(result, false, 1, true), markdown_feedback(result)}) {
    auto explanation = report.find("B3.17: ~Queue must close");
    auto details = report.find("Value of: is_open(fd)");
    ASSERT_NE(explanation, std::string::npos) << report;
    ASSERT_NE(details, std::string::npos) << report;
    EXPECT_LT(explanation, details) << report;
  }
}

}  // namespace
}  // namespace grader
