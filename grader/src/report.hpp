// The reports of a grading run: a table for the terminal, Gradescope's
// results.json, JUnit XML, and Markdown feedback for the student.
//
// Much of what a report shows was chosen by the submission: test messages and
// output, file names, compile errors, the submission's path. Each format keeps
// such text from changing its structure (control characters replaced; Markdown
// in code spans and fences no text can close; XML escaped; Gradescope told to
// show plain text), and a failing hidden test shows only the explanation its
// author wrote for students unless GradeResult::show_hidden_details is set.
#pragma once

#include <string>

#include "grade.hpp"

namespace grader {

/// "B1.14" for "FifoIo.B1_14_SendMessage...", or "" when the name has no behaviour id.
std::string behaviour_id(const std::string& test_name);

/// The terminal table. By default a summary a student can read at a glance: one
/// line per lab, the total, then only for labs that are started their failing
/// tests (one line each, at most a screenful), and what to do next. With
/// `details`, every failing test with its message (the former output).
std::string terminal_report(const GradeResult& result, bool color, int jobs, bool details = false);
std::string gradescope_json(const GradeResult& result);
std::string junit_xml(const GradeResult& result);
std::string markdown_feedback(const GradeResult& result);

}  // namespace grader
