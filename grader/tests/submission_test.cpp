// Finding the student's files: by layout, by name, never through a link.
#include "submission.hpp"

#include <fstream>

#include <gtest/gtest.h>

namespace grader {
namespace {

void touch(const fs::path& path) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "// x\n";
}

class SubmissionTest : public ::testing::Test {
 protected:
  TempDir dir_{fs::temp_directory_path(), "ipclab-grader-test."};
  Lab lab_{"01-fifo", "01", {"fifo_io.cpp", "fifo_server.cpp"}};
};

TEST_F(SubmissionTest, LayoutWinsOverCopiesElsewhere) {
  touch(dir_.path() / "labs/01-fifo/src/fifo_io.cpp");
  touch(dir_.path() / "labs/01-fifo/src/fifo_server.cpp");
  touch(dir_.path() / "backup/fifo_io.cpp");
  Submission submission(dir_.path(), dir_.path());
  LabFiles files = submission.locate(lab_);
  EXPECT_TRUE(files.problems.empty());
  EXPECT_EQ(files.found["fifo_io.cpp"], dir_.path() / "labs/01-fifo/src/fifo_io.cpp");
}

TEST_F(SubmissionTest, FilesAnywhereAreFoundAndTwoCandidatesAreNamed) {
  touch(dir_.path() / "a/fifo_io.cpp");
  touch(dir_.path() / "b/fifo_io.cpp");
  touch(dir_.path() / "c/fifo_server.cpp");
  LabFiles files = Submission(dir_.path(), dir_.path()).locate(lab_);
  ASSERT_EQ(files.problems.size(), 1u);
  EXPECT_NE(files.problems[0].find("a/fifo_io.cpp and b/fifo_io.cpp"), std::string::npos);
  EXPECT_EQ(files.found.count("fifo_server.cpp"), 1u);
}

TEST_F(SubmissionTest, AMissingFileIsNamedAndLinksAreIgnored) {
  touch(dir_.path() / "fifo_io.cpp");
  fs::create_symlink("/etc/hostname", dir_.path() / "fifo_server.cpp");
  LabFiles files = Submission(dir_.path(), dir_.path()).locate(lab_);
  ASSERT_EQ(files.problems.size(), 1u);
  EXPECT_NE(files.problems[0].find("fifo_server.cpp is missing"), std::string::npos);
}

TEST_F(SubmissionTest, AMissingPathOrABadArchiveIsAUsageError) {
  EXPECT_THROW(Submission(dir_.path() / "nope", dir_.path()), UsageError);
  std::ofstream(dir_.path() / "bad.zip") << "not a zip";
  EXPECT_THROW(Submission(dir_.path() / "bad.zip", dir_.path()), UsageError);
}

}  // namespace
}  // namespace grader
