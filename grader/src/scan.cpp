#include "scan.hpp"

#include <regex>
#include <set>
#include <sstream>

#include "process.hpp"
#include "util.hpp"

namespace grader {

namespace {

struct Rule {
  std::regex pattern;
  const char* why;
};

const std::vector<Rule>& source_rules() {
  static const std::vector<Rule> rules = {
      {std::regex(R"(\b(asm|__asm__|__asm)\b)"), "inline assembly"},
      {std::regex(R"(\.incbin)"), "copies a file's bytes into the program at compile time (.incbin)"},
      {std::regex(R"(#\s*include\s*"(?!ipclab/))"), "includes a file that is not one of the course's headers"},
      {std::regex(R"(#\s*include\s*[<"]\s*(/|.*\.\.))"), "includes a file by an absolute or upward path"},
      {std::regex(R"(__has_include|#\s*include_next|#\s*embed)"), "probes or embeds files at compile time"},
      {std::regex(R"(/proc/(self|thread-self|[0-9%]|"))"), "reads a process's own files in /proc"},
      {std::regex(R"(gtest|GTEST|TEST_PREMATURE_EXIT_FILE|testing::)"), "names GoogleTest's flags or internals"},
      {std::regex(R"(\b(constructor|destructor|init_priority)\s*(\(|\)))"),
       "code that runs before main() or after it returns"},
      {std::regex(R"(init_array|fini_array)"), "code that runs before main() or after it returns"},
      {std::regex(R"(\b(_exit|_Exit|quick_exit|exit_group)\b)"), "ends the process without returning to the test"},
      {std::regex(R"(\b(argv|envp|environ|__environ|program_invocation_name|getauxval|cmdline)\b)"),
       "reads the process's command line or environment"},
      {std::regex(R"(\b(ptrace|process_vm_readv|process_vm_writev)\b)"), "reads or writes another process's memory"},
  };
  return rules;
}

std::string shown(std::string line) {
  auto first = line.find_first_not_of(" \t");
  line = first == std::string::npos ? "" : line.substr(first);
  return line.size() > 120 ? line.substr(0, 120) + "…" : line;
}

}  // namespace

std::vector<std::string> scan_sources(const Lab& lab, const fs::path& sources) {
  std::vector<std::string> flags;
  for (const auto& name : lab.files) {
    std::istringstream lines(read_file_prefix(sources / name, 1 << 20));
    std::string line;
    for (int number = 1; std::getline(lines, line); ++number) {
      for (const auto& rule : source_rules()) {
        if (std::regex_search(line, rule.pattern)) {
          flags.push_back("labs/" + lab.id + "/src/" + name + ":" + std::to_string(number) + ": " + rule.why +
                          ": `" + shown(line) + "`");
          break;  // one flag per line is enough for a reviewer
        }
      }
    }
  }
  return flags;
}

std::vector<std::string> scan_symbols(const std::string& nm_output) {
  static const std::set<std::string> watched = {"_exit",       "_Exit",           "quick_exit",      "getauxval",
                                                "environ",     "__environ",       "__libc_argv",     "ptrace",
                                                "process_vm_readv", "process_vm_writev", "program_invocation_name"};
  std::vector<std::string> flags;
  std::set<std::string> seen;
  for (const auto& line : split_lines(nm_output)) {
    std::istringstream words(line);
    std::string type, name;
    if (!(words >> type >> name) || type != "U") {
      continue;
    }
    std::string base = name.substr(0, name.find('@'));
    if (watched.contains(base) && seen.insert(base).second) {
      flags.push_back("the compiled lab calls " + base + " (ends the process early, or reads its start-up data)");
    }
  }
  return flags;
}

std::vector<std::string> scan_lab(const Lab& lab, const fs::path& sources, const fs::path& archive) {
  std::vector<std::string> flags = scan_sources(lab, sources);
  CommandResult nm = run_command({"nm", archive.string()});
  if (nm.exit_code == 0) {
    for (auto& flag : scan_symbols(nm.output)) {
      flags.push_back(std::move(flag));
    }
  }
  return flags;
}

}  // namespace grader
