// The course as the grader sees it: which labs exist and which files of each
// lab are the student's. Always read from the course tree, never from a submission.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace grader {

struct Lab {
  std::string id;                  ///< "01-fifo": the folder name under labs/
  std::string number;              ///< "01"
  std::vector<std::string> files;  ///< the student's files, by name: {"fifo_io.cpp", ...}
};

struct Course {
  std::filesystem::path root;  ///< the course checkout (has labs/ and grader/)
  std::vector<Lab> labs;       ///< sorted by number

  /// Reads labs/NN-topic/src/*.cpp under `root`; throws UsageError when `root`
  /// is not a course checkout.
  static Course load(const std::filesystem::path& root);

  /// The labs named in `selection` ("01,03", "1", "01-fifo"; empty = all), in
  /// course order. Throws UsageError naming an unknown lab and the known ones.
  std::vector<Lab> select(const std::string& selection) const;
};

/// Where a test is defined: what GoogleTest writes as "file" and "line" in its
/// report (paths relative to the course, as the grader's build maps them).
struct TestOrigin {
  std::string file;  ///< "labs/01-fifo/tests/fifo_io_test.cpp"
  int line = 0;
};

/// Every TEST()/TEST_F() of the lab's public and hidden test sources, by
/// "Suite.Test", read from the course tree (trusted, unlike a report).
std::map<std::string, TestOrigin> test_origins(const Course& course, const Lab& lab);

}  // namespace grader
