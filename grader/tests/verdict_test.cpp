// The verdict: only a complete, matching GoogleTest report and a clean exit pass.
#include "verdict.hpp"

#include <gtest/gtest.h>

namespace grader {
namespace {

const std::string kName = "FifoIo.B1_12_ReadFullStopsAtEndOfFile";

std::string report(const std::string& suite, const std::string& name, const std::string& extra = "") {
  return R"({"tests": 1, "failures": 0, "errors": 0, "testsuites": [{"name": ")" + suite +
         R"(", "testsuite": [{"name": ")" + name + R"(", "status": "RUN", "result": "COMPLETED")" + extra + "}]}]}";
}

std::string replace_result(std::string text, const std::string& result) {
  return text.replace(text.find("COMPLETED"), 9, result);
}

TestRun clean_run() {
  TestRun run;
  run.started = true;
  run.exit_code = 0;
  run.report = report("FifoIo", "B1_12_ReadFullStopsAtEndOfFile");
  return run;
}

TEST(Verdict, ACleanRunWithItsReportPasses) {
  EXPECT_EQ(judge(clean_run(), kName, std::chrono::seconds(10)).status, Status::passed);
}

TEST(Verdict, ATestThatSkipsItselfPassesAndOneWithAFailureDoesNot) {
  TestRun run = clean_run();
  run.report = replace_result(report("FifoIo", "B1_12_ReadFullStopsAtEndOfFile"), "SKIPPED");
  Verdict verdict = judge(run, kName, std::chrono::seconds(10));
  EXPECT_EQ(verdict.status, Status::passed);
  EXPECT_NE(verdict.message.find("skipped"), std::string::npos);
  run.report = replace_result(report("FifoIo", "B1_12_ReadFullStopsAtEndOfFile", R"(, "failures": [{"failure": "x"}])"),
                              "SKIPPED");
  EXPECT_EQ(judge(run, kName, std::chrono::seconds(10)).status, Status::failed);
}

TEST(Verdict, NoReportFailsEvenWithExitZero) {
  TestRun run = clean_run();
  run.report.reset();
  run.output = "[  PASSED  ] 1 test.";
  EXPECT_EQ(judge(run, kName, std::chrono::seconds(10)).status, Status::failed);
}

TEST(Verdict, AReportForAnotherTestFails) {
  TestRun run = clean_run();
  run.report = report("FifoIo", "B1_11_Other");
  EXPECT_EQ(judge(run, kName, std::chrono::seconds(10)).status, Status::failed);
}

TEST(Verdict, ALeftoverPrematureExitFileFails) {
  TestRun run = clean_run();
  run.premature_exit_file_left = true;
  EXPECT_EQ(judge(run, kName, std::chrono::seconds(10)).status, Status::failed);
}

TEST(Verdict, ASignalIsACrashNamedBySignal) {
  TestRun run = clean_run();
  run.signal = 11;
  Verdict verdict = judge(run, kName, std::chrono::seconds(10));
  EXPECT_EQ(verdict.status, Status::crashed);
  EXPECT_NE(verdict.message.find("SIGSEGV"), std::string::npos);
}

TEST(Verdict, ANonZeroExitFails) {
  TestRun run = clean_run();
  run.exit_code = 1;
  EXPECT_EQ(judge(run, kName, std::chrono::seconds(10)).status, Status::failed);
}

TEST(Verdict, ReportedFailuresAreTheMessage) {
  TestRun run = clean_run();
  run.exit_code = 1;
  run.report = report("FifoIo", "B1_12_ReadFullStopsAtEndOfFile",
                      R"(, "failures": [{"failure": "B1.12: expected 0 \u00e2\u0080\u0094 got 3", "type": ""}])");
  Verdict verdict = judge(run, kName, std::chrono::seconds(10));
  EXPECT_EQ(verdict.status, Status::failed);
  EXPECT_EQ(verdict.message, "B1.12: expected 0 — got 3");
}

TEST(Verdict, AMalformedReportFails) {
  TestRun run = clean_run();
  run.report = R"({"tests": "one", "testsuites": 3})";
  EXPECT_EQ(judge(run, kName, std::chrono::seconds(10)).status, Status::failed);
}

TEST(Verdict, ATimeoutNamesTheBlockingCalls) {
  TestRun run;
  run.started = true;
  run.timed_out = true;
  run.blocked = {{0, "wait4"}, {1, "openat"}};
  Verdict verdict = judge(run, kName, std::chrono::seconds(10));
  EXPECT_EQ(verdict.status, Status::timed_out);
  EXPECT_NE(verdict.message.find("timed out after 10 s: the test was blocked in wait4"), std::string::npos);
  EXPECT_NE(verdict.message.find("its child in openat (opening a FIFO"), std::string::npos);
}

}  // namespace
}  // namespace grader
