#include "rubric.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "util.hpp"

namespace grader {

using nlohmann::json;

std::string to_string(Binary binary) { return binary == Binary::public_tests ? "public" : "hidden"; }

double LabRubric::max_points(bool public_only) const {
  double total = 0;
  for (const auto& test : tests) {
    if (!public_only || test.binary == Binary::public_tests) {
      total += test.points;
    }
  }
  return total;
}

fs::path rubric_path(const fs::path& rubric_dir, const std::string& lab) { return rubric_dir / (lab + ".json"); }

namespace {

void check_keys(const json& object, const std::set<std::string>& known, const std::string& where) {
  for (const auto& [key, value] : object.items()) {
    if (!known.contains(key)) {
      std::string list;
      for (const auto& k : known) {
        list += (list.empty() ? "" : ", ") + k;
      }
      throw UsageError(where + ": unknown key \"" + key + "\" (known: " + list + ")");
    }
  }
}

double positive_number(const json& value, const std::string& where, bool allow_zero) {
  if (!value.is_number() || value.get<double>() < 0 || (!allow_zero && value.get<double>() == 0)) {
    throw UsageError(where + " must be a " + (allow_zero ? "non-negative" : "positive") + " number");
  }
  return value.get<double>();
}

}  // namespace

LabRubric parse_rubric(const std::string& text, const std::string& where) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& error) {
    throw UsageError(where + " is not valid JSON: " + error.what());
  }
  if (!doc.is_object()) {
    throw UsageError(where + ": the rubric must be a JSON object");
  }
  check_keys(doc, {"lab", "timeout_seconds", "tests", "controls", "comment", "student_copy"}, where);
  LabRubric rubric;
  if (!doc.contains("lab") || !doc["lab"].is_string()) {
    throw UsageError(where + ": \"lab\" (the lab's folder name, e.g. \"01-fifo\") is missing");
  }
  rubric.lab = doc["lab"].get<std::string>();
  if (doc.contains("timeout_seconds")) {
    rubric.timeout_seconds = positive_number(doc["timeout_seconds"], where + ": timeout_seconds", false);
  }
  if (!doc.contains("tests") || !doc["tests"].is_array()) {
    throw UsageError(where + ": \"tests\" (an array of tests) is missing");
  }
  if (doc.contains("student_copy")) {
    if (!doc["student_copy"].is_boolean()) {
      throw UsageError(where + ": \"student_copy\" must be true or false");
    }
    rubric.student_copy = doc["student_copy"].get<bool>();
  }
  std::set<std::string> seen;
  if (doc.contains("controls")) {
    if (!doc["controls"].is_array()) {
      throw UsageError(where + ": \"controls\" must be an array of hidden test names");
    }
    for (const auto& name : doc["controls"]) {
      if (!name.is_string() || name.get<std::string>().find('.') == std::string::npos ||
          !seen.insert(name.get<std::string>()).second) {
        throw UsageError(where + ": control " + name.dump() + " must be a Suite.Test name, listed once");
      }
      rubric.controls.push_back(name.get<std::string>());
    }
  }
  for (const auto& entry : doc["tests"]) {
    std::string at = where + ": test " + (entry.contains("name") ? entry["name"].dump() : entry.dump());
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string()) {
      throw UsageError(at + " needs a \"name\" (Suite.Test)");
    }
    check_keys(entry, {"name", "binary", "points", "visibility", "timeout_seconds"}, at);
    RubricTest test;
    test.name = entry["name"].get<std::string>();
    if (test.name.find('.') == std::string::npos || test.name.find_first_of("*?:- ") != std::string::npos) {
      throw UsageError(at + ": a name is Suite.Test, without wildcards");
    }
    if (!seen.insert(test.name).second) {
      throw UsageError(at + " is listed twice");
    }
    std::string binary = entry.value("binary", "public");
    if (binary != "public" && binary != "hidden") {
      throw UsageError(at + ": \"binary\" must be \"public\" or \"hidden\"");
    }
    test.binary = binary == "public" ? Binary::public_tests : Binary::hidden_tests;
    if (entry.contains("points")) {
      test.points = positive_number(entry["points"], at + ": points", true);
    }
    test.visibility = entry.value("visibility", binary == "public" ? "visible" : "after_due_date");
    if (test.visibility != "visible" && test.visibility != "hidden" && test.visibility != "after_due_date") {
      throw UsageError(at + ": \"visibility\" must be \"visible\", \"hidden\" or \"after_due_date\"");
    }
    if (entry.contains("timeout_seconds")) {
      test.timeout_seconds = positive_number(entry["timeout_seconds"], at + ": timeout_seconds", false);
    }
    rubric.tests.push_back(std::move(test));
  }
  return rubric;
}

LabRubric load_rubric(const fs::path& path) {
  if (!fs::is_regular_file(path)) {
    throw UsageError("the rubric " + path.string() +
                     " is missing: every lab needs one (create it with `ipclab-grader rubric --sync`)");
  }
  LabRubric rubric = parse_rubric(read_file(path), path.string());
  if (rubric.lab != path.stem().string()) {
    throw UsageError(path.string() + ": \"lab\" is \"" + rubric.lab + "\" but the file is named after " +
                     path.stem().string());
  }
  return rubric;
}

std::string rubric_to_json(const LabRubric& rubric) {
  json tests = json::array();
  for (const auto& test : rubric.tests) {
    json entry = {{"name", test.name},
                  {"binary", to_string(test.binary)},
                  {"points", test.points},
                  {"visibility", test.visibility}};
    if (test.timeout_seconds) {
      entry["timeout_seconds"] = *test.timeout_seconds;
    }
    tests.push_back(entry);
  }
  json doc = {{"lab", rubric.lab}, {"timeout_seconds", rubric.timeout_seconds}, {"tests", tests}};
  if (!rubric.controls.empty()) {
    doc["controls"] = rubric.controls;
  }
  if (rubric.student_copy) {
    doc["student_copy"] = true;
  }
  // nlohmann::json sorts keys; the output is stable, which is what a diff needs.
  return doc.dump(2) + "\n";
}

std::vector<std::string> compare_rubric(const LabRubric& rubric, const TestListing& listing,
                                        const std::string& lab_number) {
  std::vector<std::string> problems;
  auto binary_name = [&](Binary binary) { return "lab" + lab_number + "_" + to_string(binary) + "_tests"; };
  auto has = [&](Binary binary, const std::string& name) {
    auto it = listing.find(binary);
    return it != listing.end() && std::find(it->second.begin(), it->second.end(), name) != it->second.end();
  };
  for (const auto& test : rubric.tests) {
    if (!has(test.binary, test.name)) {
      problems.push_back(rubric.lab + ": " + test.name + " is in the rubric but not in " + binary_name(test.binary));
    }
  }
  for (const auto& name : rubric.controls) {
    if (!has(Binary::hidden_tests, name)) {
      problems.push_back(rubric.lab + ": the control " + name + " is in the rubric but not in " +
                         binary_name(Binary::hidden_tests));
    }
  }
  for (const auto& [binary, names] : listing) {
    for (const auto& name : names) {
      bool listed = std::any_of(rubric.tests.begin(), rubric.tests.end(),
                                [&](const RubricTest& t) { return t.name == name && t.binary == binary; }) ||
                    (binary == Binary::hidden_tests &&
                     std::find(rubric.controls.begin(), rubric.controls.end(), name) != rubric.controls.end());
      if (!listed) {
        problems.push_back(rubric.lab + ": " + name + " is in " + binary_name(binary) + " but not in the rubric");
      }
    }
  }
  return problems;
}

LabRubric sync_rubric(LabRubric rubric, const TestListing& listing) {
  auto has = [&](Binary binary, const std::string& name) {
    auto it = listing.find(binary);
    return it != listing.end() && std::find(it->second.begin(), it->second.end(), name) != it->second.end();
  };
  std::erase_if(rubric.tests, [&](const RubricTest& test) { return !has(test.binary, test.name); });
  std::erase_if(rubric.controls, [&](const std::string& name) { return !has(Binary::hidden_tests, name); });
  for (const auto& [binary, names] : listing) {
    for (const auto& name : names) {
      bool listed = std::any_of(rubric.tests.begin(), rubric.tests.end(),
                                [&](const RubricTest& t) { return t.name == name && t.binary == binary; }) ||
                    std::find(rubric.controls.begin(), rubric.controls.end(), name) != rubric.controls.end();
      if (!listed) {
        rubric.tests.push_back(
            {name, binary, 1, binary == Binary::public_tests ? "visible" : "after_due_date", std::nullopt});
      }
    }
  }
  return rubric;
}

}  // namespace grader
