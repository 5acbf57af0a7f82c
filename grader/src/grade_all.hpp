// `ipclab-grader grade-all DIR --csv grades.csv`: a class graded in one run.
// Each entry of DIR is one student's submission (a folder, a .zip or a
// .tar.gz; the student id is its name). The course is built once; students are
// graded --parallel at a time, each in a workspace of its own. After every
// student the gradebook is rewritten whole (atomically), so an interrupted
// batch leaves a valid CSV of those done, and a second run goes on from there.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "grade.hpp"

namespace grader {

struct BatchOptions {
  GradeOptions grade;              ///< course, labs, jobs per student, timeouts, isolation, archive limits
  std::filesystem::path dir;       ///< one entry per student
  std::filesystem::path csv;       ///< the gradebook
  std::filesystem::path out_dir;   ///< feedback and results per student; default: beside the CSV
  bool force = false;              ///< grade again the students already graded
  int parallel = 2;                ///< students graded at once
};

/// One student's outcome, as kept in OUT_DIR/ID.record.json (what the CSV
/// and the summary are made from).
struct StudentRecord {
  std::string student;        ///< the entry's name without its archive extension
  std::string error;          ///< non-empty: the submission could not be graded at all (why)
  double score = 0, max_score = 0, seconds = 0;
  struct Lab {
    double score = 0, max_score = 0;
    bool forged = false, cut_short = false;
    int flags = 0;
  };
  std::map<std::string, Lab> labs;   ///< by lab id
  std::vector<std::string> failed;   ///< "01-fifo FifoIo.B1_3_..." for each test not passed
};

/// Runs the batch; returns the exit status (0, or 130 when interrupted).
/// Throws UsageError for bad options before anything is graded.
int grade_all(const BatchOptions& options);

/// The gradebook: one row per student, a column per lab, the total.
std::string gradebook_csv(const std::vector<StudentRecord>& records, const std::vector<std::string>& labs);
/// What the class did not understand: score distribution per lab, and per test
/// how many students failed it (Markdown).
std::string batch_summary(const std::vector<StudentRecord>& records, const std::vector<std::string>& labs);
/// A CSV field: quoted when needed; a leading = + - @ is neutralised so that a
/// spreadsheet never runs a student's name as a formula.
std::string csv_field(const std::string& text);
/// A file name for a student id: [A-Za-z0-9._-] kept, anything else replaced,
/// with a short suffix that keeps distinct ids distinct.
std::string safe_file_name(const std::string& id);

}  // namespace grader
