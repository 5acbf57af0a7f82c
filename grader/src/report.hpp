// The reports of a grading run: a table for the terminal, Gradescope's
// results.json, JUnit XML, and Markdown feedback for the student.
#pragma once

#include <string>

#include "grade.hpp"

namespace grader {

/// "B1.14" for "FifoIo.B1_14_SendMessage...", or "" when the name has no behaviour id.
std::string behaviour_id(const std::string& test_name);

std::string terminal_report(const GradeResult& result, bool color, int jobs);
std::string gradescope_json(const GradeResult& result);
std::string junit_xml(const GradeResult& result);
std::string markdown_feedback(const GradeResult& result);

}  // namespace grader
