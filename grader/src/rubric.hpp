// The rubric: points, visibility and timeouts per test, one JSON file per lab
// in grader/rubric/ (trusted; the list of tests to run comes from here, never
// from a test binary). Format: grader/README.md, "Rubric".
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace grader {

/// Which test binary holds a test: labNN_public_tests or labNN_hidden_tests.
enum class Binary { public_tests, hidden_tests };
std::string to_string(Binary binary);

struct RubricTest {
  std::string name;        ///< "FifoOpen.B1_1_MakeFifoCreatesAFifoWithTheMode"
  Binary binary = Binary::public_tests;
  double points = 1;
  std::string visibility;  ///< Gradescope's: "visible", "hidden" or "after_due_date"
  std::optional<double> timeout_seconds;  ///< overrides the lab's default
};

struct LabRubric {
  std::string lab;                ///< "01-fifo"
  double timeout_seconds = 10;    ///< default wall-clock limit of each test
  std::vector<RubricTest> tests;  ///< in file order
  /// Negative controls: hidden tests whose honest outcome is a failure (they
  /// look like any other test, are worth nothing and are never listed in a
  /// report). One that passes shows a forged report: the lab's verdicts are void.
  std::vector<std::string> controls;
  /// Set in the rubric of a student copy of the course (`./ipclab release`),
  /// which holds the public tests only: the reports then tell the student that
  /// the instructor grades more (hidden) tests of the same behaviours.
  bool student_copy = false;

  double max_points(bool public_only) const;
};

/// The rubric file of `lab` in `rubric_dir` ("01-fifo.json").
std::filesystem::path rubric_path(const std::filesystem::path& rubric_dir, const std::string& lab);

/// Reads and checks a rubric (known keys, positive points and timeouts, no test
/// twice). Throws UsageError that names the file and the problem.
LabRubric load_rubric(const std::filesystem::path& path);
LabRubric parse_rubric(const std::string& text, const std::string& where);
/// The rubric as JSON text, in the layout load_rubric() reads.
std::string rubric_to_json(const LabRubric& rubric);

/// The tests each binary of a lab really has, from --gtest_list_tests.
using TestListing = std::map<Binary, std::vector<std::string>>;

/// Every disagreement between `rubric` and `listing`, one readable line each
/// ("01-fifo: FifoIo.B1_99 is in the rubric but not in lab01_public_tests").
std::vector<std::string> compare_rubric(const LabRubric& rubric, const TestListing& listing,
                                        const std::string& lab_number);

/// `rubric` brought in line with `listing`: tests it lacks are added (1 point,
/// "visible" when public, "after_due_date" when hidden), tests no binary has are
/// dropped, everything else (points, order) is kept.
LabRubric sync_rubric(LabRubric rubric, const TestListing& listing);

}  // namespace grader
