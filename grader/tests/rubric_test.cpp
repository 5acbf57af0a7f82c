// The rubric: parsing, checking against the binaries, and syncing.
#include "rubric.hpp"

#include <gtest/gtest.h>

#include "build.hpp"
#include "util.hpp"

namespace grader {
namespace {

const char* kRubric = R"({"lab": "01-fifo", "timeout_seconds": 5, "tests": [
  {"name": "A.B1_1_X", "points": 2},
  {"name": "H.B1_2_Y", "binary": "hidden"}]})";

TEST(Rubric, DefaultsFollowTheBinary) {
  LabRubric rubric = parse_rubric(kRubric, "r.json");
  ASSERT_EQ(rubric.tests.size(), 2u);
  EXPECT_EQ(rubric.tests[0].visibility, "visible");
  EXPECT_EQ(rubric.tests[1].visibility, "after_due_date");
  EXPECT_EQ(rubric.max_points(false), 3);
  EXPECT_EQ(rubric.max_points(true), 2);
}

TEST(Rubric, BadEntriesAreRefusedByName) {
  EXPECT_THROW(parse_rubric(R"({"lab": "01-fifo", "tests": [{"name": "A.*"}]})", "r"), UsageError);
  EXPECT_THROW(parse_rubric(R"({"lab": "01-fifo", "tests": [{"name": "A.B", "pionts": 1}]})", "r"), UsageError);
  EXPECT_THROW(parse_rubric(R"({"lab": "01-fifo", "tests": [{"name": "A.B"}, {"name": "A.B"}]})", "r"), UsageError);
}

TEST(Rubric, CompareNamesEveryDisagreement) {
  LabRubric rubric = parse_rubric(kRubric, "r.json");
  TestListing listing = {{Binary::public_tests, {"A.B1_1_X", "A.B1_3_New"}}, {Binary::hidden_tests, {}}};
  auto problems = compare_rubric(rubric, listing, "01");
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("H.B1_2_Y is in the rubric but not in lab01_hidden_tests"), std::string::npos);
  EXPECT_NE(problems[1].find("A.B1_3_New is in lab01_public_tests but not in the rubric"), std::string::npos);
}

TEST(Rubric, SyncKeepsPointsAddsAndDrops) {
  LabRubric rubric = parse_rubric(kRubric, "r.json");
  TestListing listing = {{Binary::public_tests, {"A.B1_1_X", "A.B1_3_New"}}};
  LabRubric synced = sync_rubric(rubric, listing);
  ASSERT_EQ(synced.tests.size(), 2u);
  EXPECT_EQ(synced.tests[0].points, 2);
  EXPECT_EQ(synced.tests[1].name, "A.B1_3_New");
  EXPECT_EQ(parse_rubric(rubric_to_json(synced), "again").tests.size(), 2u);
}

// The rubric of a student copy (./ipclab release): marked, read back as it was
// written, and refused when the mark is not a boolean.
TEST(Rubric, StudentCopyIsKeptThroughJson) {
  LabRubric rubric = parse_rubric(R"({"lab": "01-fifo", "student_copy": true, "tests": [{"name": "A.B1_1_X"}]})", "r");
  EXPECT_TRUE(rubric.student_copy);
  EXPECT_TRUE(parse_rubric(rubric_to_json(rubric), "again").student_copy);
  EXPECT_FALSE(parse_rubric(kRubric, "r.json").student_copy);
  EXPECT_EQ(rubric_to_json(parse_rubric(kRubric, "r.json")).find("student_copy"), std::string::npos);
  EXPECT_THROW(parse_rubric(R"({"lab": "01-fifo", "student_copy": "yes", "tests": []})", "r"), UsageError);
}

TEST(TestList, ParsesGoogleTestListing) {
  auto names = parse_test_list("FifoIo.\n  B1_10_A\n  B1_11_B\nP/Param.\n  Case/0  # GetParam() = 1\n");
  EXPECT_EQ(names, (std::vector<std::string>{"FifoIo.B1_10_A", "FifoIo.B1_11_B", "P/Param.Case/0"}));
}

TEST(Symbols, MainAndGoogleTestAreForbidden) {
  std::string student = "a.o:\n0000 T main\n     U testing::internal::AssertHelper::AssertHelper()\n"
                        "0010 T ipclab::fifo::make_fifo()\n0020 T ipclab::check(int)\n";
  std::string trusted = "0000 T ipclab::check(int)\n";
  auto problems = forbidden_symbols(student, trusted);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_NE(problems[0].find("defines main()"), std::string::npos);
  EXPECT_NE(problems[1].find("must not touch GoogleTest"), std::string::npos);
  EXPECT_NE(problems[2].find("support library"), std::string::npos);
}

}  // namespace
}  // namespace grader
