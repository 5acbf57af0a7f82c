#include "report.hpp"

#include <cstdio>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "util.hpp"

namespace grader {

std::string behaviour_id(const std::string& test_name) {
  static const std::regex id_re(R"(\.(B[0-9]+)_([0-9]+)_)");
  std::smatch m;
  return std::regex_search(test_name, m, id_re) ? m[1].str() + "." + m[2].str() : "";
}

namespace {

std::string percent(double score, double max) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.0f%%", max > 0 ? 100.0 * score / max : 100.0);
  return buffer;
}

std::string lab_problem_message(const LabResult& lab) {
  return "lab " + lab.lab + " scored 0: " + lab.problem;
}

std::string test_output(const LabResult& lab, const TestResult& test) {
  if (!lab.problem.empty()) {
    return lab_problem_message(lab);
  }
  return test.status == Status::passed ? "passed" : to_string(test.status) + ": " + test.message;
}

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : printable(text)) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string indent(const std::string& text, const std::string& prefix, std::size_t max_lines) {
  std::string out;
  for (const auto& line : split_lines(first_lines(text, max_lines))) {
    out += prefix + line + "\n";
  }
  return out;
}

}  // namespace

std::string terminal_report(const GradeResult& result, bool color, int jobs) {
  auto paint = [&](const char* code, const std::string& text) {
    return color ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
  };
  std::ostringstream out;
  out << "Submission: " << result.submission << "\n";
  out << "Isolation:  " << result.isolation << "\n";
  if (result.public_only) {
    out << "Public tests only (--public-only): hidden tests were not run.\n";
  }
  out << "\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-14s %9s  %s\n", "Lab", "Points", "Tests");
  out << paint("1", line);
  for (const auto& lab : result.labs) {
    int passed = 0, failed = 0;
    for (const auto& test : lab.tests) {
      (test.status == Status::passed ? passed : failed)++;
    }
    std::string points = format_points(lab.score) + "/" + format_points(lab.max_score);
    std::string tests = std::to_string(passed) + " passed" + (failed ? ", " + std::to_string(failed) + " failed" : "");
    std::snprintf(line, sizeof line, "%-14s %9s  ", lab.lab.c_str(), points.c_str());
    out << line << paint(failed || !lab.problem.empty() ? "31" : "32", tests) << "\n";
    if (!lab.problem.empty()) {
      out << indent(lab_problem_message(lab), "    ", 20);
      continue;
    }
    for (const auto& test : lab.tests) {
      if (test.status == Status::passed) {
        continue;
      }
      std::string id = behaviour_id(test.spec.name);
      out << "  " << paint("31", "✗ " + (id.empty() ? std::string("-") : id)) << "  " << test.spec.name << "  ("
          << to_string(test.status) << ", " << format_points(test.spec.points) << " pt"
          << (test.spec.binary == Binary::hidden_tests ? ", hidden test" : "") << ")\n";
      out << indent(test.message, "      ", 4);
    }
  }
  std::string total = format_points(result.score) + "/" + format_points(result.max_score);
  std::snprintf(line, sizeof line, "%-14s %9s  %s\n", "Total", total.c_str(),
                percent(result.score, result.max_score).c_str());
  out << paint("1", line);
  std::snprintf(line, sizeof line, "Time: %.1f s (build %.1f s, tests %.1f s with %d job%s)\n", result.total_seconds,
                result.build_seconds, result.test_seconds, jobs, jobs == 1 ? "" : "s");
  out << line;
  return out.str();
}

std::string gradescope_json(const GradeResult& result) {
  using nlohmann::json;
  json tests = json::array();
  std::string summary = "Isolation: " + result.isolation + "\n";
  for (const auto& lab : result.labs) {
    summary += lab.lab + ": " + format_points(lab.score) + "/" + format_points(lab.max_score) + "\n";
    if (!lab.problem.empty()) {
      summary += indent(lab_problem_message(lab), "  ", 30);
    }
    for (std::size_t i = 0; i < lab.tests.size(); ++i) {
      const auto& test = lab.tests[i];
      std::string id = behaviour_id(test.spec.name);
      tests.push_back({{"name", lab.lab + " " + (id.empty() ? "" : id + " ") + test.spec.name},
                       {"number", lab.lab.substr(0, 2) + "." + std::to_string(i + 1)},
                       {"score", test.score},
                       {"max_score", test.spec.points},
                       {"status", test.status == Status::passed ? "passed" : "failed"},
                       {"output", printable(test_output(lab, test))},
                       {"visibility", test.spec.visibility}});
    }
  }
  json doc = {{"score", result.score},
              {"max_score", result.max_score},
              {"execution_time", static_cast<long long>(result.total_seconds + 0.5)},
              {"output", printable(summary)},
              {"stdout_visibility", "hidden"},
              {"tests", tests}};
  return doc.dump(2) + "\n";
}

std::string junit_xml(const GradeResult& result) {
  std::ostringstream out;
  int total = 0, failures = 0;
  for (const auto& lab : result.labs) {
    for (const auto& test : lab.tests) {
      ++total;
      failures += test.status != Status::passed;
    }
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"ipclab\" tests=\"" << total << "\" failures=\"" << failures << "\">\n";
  for (const auto& lab : result.labs) {
    int lab_failures = 0;
    for (const auto& test : lab.tests) {
      lab_failures += test.status != Status::passed;
    }
    out << "  <testsuite name=\"" << xml_escape(lab.lab) << "\" tests=\"" << lab.tests.size() << "\" failures=\""
        << lab_failures << "\">\n";
    for (const auto& test : lab.tests) {
      auto dot = test.spec.name.find('.');
      char time[32];
      std::snprintf(time, sizeof time, "%.3f", test.seconds);
      out << "    <testcase classname=\"" << xml_escape(lab.lab + "." + test.spec.name.substr(0, dot)) << "\" name=\""
          << xml_escape(test.spec.name.substr(dot + 1)) << "\" time=\"" << time << "\"";
      if (test.status == Status::passed) {
        out << "/>\n";
        continue;
      }
      out << ">\n      <failure message=\"" << xml_escape(to_string(test.status)) << "\">"
          << xml_escape(test_output(lab, test)) << "</failure>\n    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return out.str();
}

std::string markdown_feedback(const GradeResult& result) {
  std::ostringstream out;
  out << "# ipclab feedback\n\n";
  out << "**Score: " << format_points(result.score) << " / " << format_points(result.max_score) << "** ("
      << percent(result.score, result.max_score) << ")\n\n";
  if (result.public_only) {
    out << "Only the public tests were run.\n\n";
  }
  for (const auto& lab : result.labs) {
    out << "## " << lab.lab << " — " << format_points(lab.score) << " / " << format_points(lab.max_score) << "\n\n";
    if (!lab.problem.empty()) {
      out << "This lab scored 0 because it could not be graded:\n\n```\n" << printable(lab.problem) << "\n```\n\n";
      continue;
    }
    out << "| Behaviour | Test | Points | Result |\n|---|---|---|---|\n";
    for (const auto& test : lab.tests) {
      std::string id = behaviour_id(test.spec.name);
      out << "| " << (id.empty() ? "—" : id) << " | `" << test.spec.name << "`"
          << (test.spec.binary == Binary::hidden_tests ? " (hidden)" : "") << " | " << format_points(test.score)
          << " / " << format_points(test.spec.points) << " | "
          << (test.status == Status::passed ? "✓ passed" : "✗ " + to_string(test.status)) << " |\n";
    }
    out << "\n";
    for (const auto& test : lab.tests) {
      if (test.status == Status::passed) {
        continue;
      }
      std::string id = behaviour_id(test.spec.name);
      out << "### " << (id.empty() ? "" : id + " — ") << test.spec.name << " (" << to_string(test.status)
          << ")\n\n```\n" << printable(first_lines(test.message, 40)) << "\n```\n\n";
    }
  }
  out << "---\nIsolation: " << result.isolation << "\n";
  return out.str();
}

}  // namespace grader
