#include "course.hpp"

#include <algorithm>
#include <regex>
#include <sstream>

#include "util.hpp"

namespace grader {

Course Course::load(const fs::path& root) {
  Course course;
  course.root = fs::absolute(root).lexically_normal();
  fs::path labs_dir = course.root / "labs";
  if (!fs::is_directory(labs_dir) || !fs::is_directory(course.root / "grader")) {
    throw UsageError(course.root.string() +
                     " is not an ipclab course checkout (it needs labs/ and grader/): pass --course with "
                     "the folder that holds the course's CMakeLists.txt");
  }
  static const std::regex lab_name("([0-9][0-9])-[A-Za-z0-9_-]+");
  for (const auto& entry : fs::directory_iterator(labs_dir)) {
    std::string name = entry.path().filename().string();
    std::smatch match;
    if (!entry.is_directory() || !std::regex_match(name, match, lab_name) ||
        !fs::is_directory(entry.path() / "src")) {
      continue;
    }
    Lab lab{name, match[1].str(), {}};
    for (const auto& file : fs::directory_iterator(entry.path() / "src")) {
      if (file.is_regular_file() && file.path().extension() == ".cpp") {
        lab.files.push_back(file.path().filename().string());
      }
    }
    std::sort(lab.files.begin(), lab.files.end());
    if (!lab.files.empty()) {
      course.labs.push_back(std::move(lab));
    }
  }
  std::sort(course.labs.begin(), course.labs.end(),
            [](const Lab& a, const Lab& b) { return a.id < b.id; });
  if (course.labs.empty()) {
    throw UsageError("no lab found in " + labs_dir.string() + " (expected folders like 01-fifo/src/*.cpp)");
  }
  return course;
}

std::vector<Lab> Course::select(const std::string& selection) const {
  if (selection.empty() || selection == "all") {
    return labs;
  }
  std::vector<Lab> chosen;
  std::stringstream items(selection);
  std::string item;
  while (std::getline(items, item, ',')) {
    item.erase(std::remove_if(item.begin(), item.end(), ::isspace), item.end());
    if (item.empty()) {
      continue;
    }
    std::string number = item.size() == 1 && std::isdigit(static_cast<unsigned char>(item[0])) ? "0" + item
                                                                                                : item.substr(0, 2);
    auto found = std::find_if(labs.begin(), labs.end(), [&](const Lab& lab) {
      return lab.id == item || (item.size() <= 2 && lab.number == number);
    });
    if (found == labs.end()) {
      std::string known;
      for (const auto& lab : labs) {
        known += (known.empty() ? "" : ", ") + lab.number + " (" + lab.id + ")";
      }
      throw UsageError("unknown lab \"" + item + "\" in --labs " + selection + ": this course has " + known);
    }
    if (std::none_of(chosen.begin(), chosen.end(), [&](const Lab& lab) { return lab.id == found->id; })) {
      chosen.push_back(*found);
    }
  }
  std::sort(chosen.begin(), chosen.end(), [](const Lab& a, const Lab& b) { return a.id < b.id; });
  if (chosen.empty()) {
    throw UsageError("--labs " + selection + " names no lab (example: --labs 01,03)");
  }
  return chosen;
}

std::map<std::string, TestOrigin> test_origins(const Course& course, const Lab& lab) {
  static const std::regex test_re(R"(^\s*TEST(?:_F)?\(\s*(\w+)\s*,\s*(\w+)\s*\))");
  std::map<std::string, TestOrigin> origins;
  for (const fs::path& dir : {course.root / "labs" / lab.id / "tests", course.root / "grader" / "hidden" / lab.id}) {
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      if (!it->path().filename().string().ends_with("_test.cpp")) {
        continue;
      }
      std::string relative = it->path().lexically_relative(course.root).generic_string();
      std::istringstream lines(read_file(it->path()));
      std::string line;
      for (int number = 1; std::getline(lines, line); ++number) {
        std::smatch m;
        if (std::regex_search(line, m, test_re)) {
          origins[m[1].str() + "." + m[2].str()] = {relative, number};
        }
      }
    }
  }
  return origins;
}

}  // namespace grader
