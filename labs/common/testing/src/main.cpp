// The main() of every test binary. Compiled once (the object library
// ipclab_test_main) and linked into each test executable as an object file,
// never taken from an archive: a student file that defines main() then fails
// to link ("multiple definition of main") instead of silently replacing the
// test runner, as it could with gtest_main.a.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <sstream>
#include <string>

namespace {

// A failure as GoogleTest reports it puts the test's own sentence last
// ("Value of: ...  Actual: ... Expected: ... B3.17: ~Queue must close the
// descriptor"); a student reads the first lines. This printer shows the
// behaviour's explanation lines first, then GoogleTest's details. The grader
// orders the failures it reports the same way (grader/src/report.cpp).
// "B3.17: ..." at the start of `line` or after ": " (a child's message quoted
// by the test: "child 'writer' exited with status 1: B1.13: ..."). By hand, not
// std::regex, which recurses per character on a long line.
bool has_explanation(const std::string& line) {
  auto id_at = [&](std::size_t i) {
    auto digits = [&] {
      std::size_t start = i;
      while (i < line.size() && line[i] >= '0' && line[i] <= '9') {
        ++i;
      }
      return i > start;
    };
    return i < line.size() && line[i++] == 'B' && digits() && i < line.size() && line[i++] == '.' &&
           digits() && line.compare(i, 2, ": ") == 0;
  };
  if (id_at(0)) {
    return true;
  }
  for (std::size_t at = line.find(": B"); at != std::string::npos; at = line.find(": B", at + 1)) {
    if (id_at(at + 2)) {
      return true;
    }
  }
  return false;
}

std::string explanation_first(const std::string& message) {
  std::istringstream in(message);
  std::string line, first, rest;
  while (std::getline(in, line)) {
    (has_explanation(line) ? first : rest) += line + "\n";
  }
  return first + rest;
}

class ExplanationFirstPrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit ExplanationFirstPrinter(::testing::TestEventListener* wrapped) : wrapped_(wrapped) {}

  void OnTestProgramStart(const ::testing::UnitTest& u) override { wrapped_->OnTestProgramStart(u); }
  void OnTestIterationStart(const ::testing::UnitTest& u, int i) override { wrapped_->OnTestIterationStart(u, i); }
  void OnEnvironmentsSetUpStart(const ::testing::UnitTest& u) override { wrapped_->OnEnvironmentsSetUpStart(u); }
  void OnEnvironmentsSetUpEnd(const ::testing::UnitTest& u) override { wrapped_->OnEnvironmentsSetUpEnd(u); }
  void OnTestSuiteStart(const ::testing::TestSuite& s) override { wrapped_->OnTestSuiteStart(s); }
  void OnTestStart(const ::testing::TestInfo& t) override { wrapped_->OnTestStart(t); }
  void OnTestEnd(const ::testing::TestInfo& t) override { wrapped_->OnTestEnd(t); }
  void OnTestSuiteEnd(const ::testing::TestSuite& s) override { wrapped_->OnTestSuiteEnd(s); }
  void OnEnvironmentsTearDownStart(const ::testing::UnitTest& u) override { wrapped_->OnEnvironmentsTearDownStart(u); }
  void OnEnvironmentsTearDownEnd(const ::testing::UnitTest& u) override { wrapped_->OnEnvironmentsTearDownEnd(u); }
  void OnTestIterationEnd(const ::testing::UnitTest& u, int i) override { wrapped_->OnTestIterationEnd(u, i); }
  void OnTestProgramEnd(const ::testing::UnitTest& u) override { wrapped_->OnTestProgramEnd(u); }
#ifndef GTEST_REMOVE_LEGACY_TEST_CASEAPI_
  // GoogleTest calls both spellings; the wrapped printer implements one of them.
  void OnTestCaseStart(const ::testing::TestCase& s) override { wrapped_->OnTestCaseStart(s); }
  void OnTestCaseEnd(const ::testing::TestCase& s) override { wrapped_->OnTestCaseEnd(s); }
#endif

  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (result.type() == ::testing::TestPartResult::kSuccess) {
      return;
    }
    std::string where = result.file_name() == nullptr ? "unknown file"
                        : result.line_number() < 0     ? result.file_name()
                            : std::string(result.file_name()) + ":" + std::to_string(result.line_number());
    const char* kind = result.type() == ::testing::TestPartResult::kSkip ? "Skipped" : "Failure";
    std::printf("%s: %s\n%s\n", where.c_str(), kind, explanation_first(result.message()).c_str());
    std::fflush(stdout);
  }

 private:
  std::unique_ptr<::testing::TestEventListener> wrapped_;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
  if (auto* printer = listeners.Release(listeners.default_result_printer()); printer != nullptr) {
    listeners.Append(new ExplanationFirstPrinter(printer));
  }
  return RUN_ALL_TESTS();
}
