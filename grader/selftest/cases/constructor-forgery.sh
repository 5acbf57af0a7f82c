# Attack: lab 01's skeleton (nothing implemented) with a static constructor
# that reads /proc/self/cmdline, finds --gtest_output=json:PATH and
# --gtest_filter=NAME, writes there what GoogleTest writes when NAME passed,
# and _exit(0)s before main(): every test "passes".
# Must happen: the negative controls (a filter naming no test, a hidden test
# that always fails) "pass" too, so the lab's verdicts are void: it scores 0
# and the results say it was forged; the scan flags the code for review.
forged='forged|wrote its own report|negative control|the report places'
run() {
  new_submission constructor-forgery
  add_lab 01 skeleton
  append_to_fifo_io '#include <sys/types.h>
namespace {
// Before main(): what GoogleTest would write for a passing NAME, at PATH.
struct ForgedReport {
  ForgedReport() {
    std::string args;
    int fd = ::open("/proc/self/cmdline", O_RDONLY);
    if (fd < 0) { return; }
    char buffer[4096];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) { args.append(buffer, static_cast<std::size_t>(n)); }
    ::close(fd);
    std::string path, name;
    for (std::size_t at = 0; at < args.size(); at += std::strlen(args.c_str() + at) + 1) {
      std::string arg = args.c_str() + at;
      if (arg.rfind("--gtest_output=json:", 0) == 0) { path = arg.substr(20); }
      if (arg.rfind("--gtest_filter=", 0) == 0) { name = arg.substr(15); }
    }
    std::size_t dot = name.find(".");
    if (path.empty() || dot == std::string::npos) { return; }  // listing the tests: stay quiet
    std::string suite = name.substr(0, dot), test = name.substr(dot + 1);
    std::string stamp = "\"timestamp\": \"2026-01-01T00:00:00Z\", \"time\": \"0.001s\"";
    std::string report = "{\n  \"tests\": 1, \"failures\": 0, \"disabled\": 0, \"errors\": 0, " + stamp +
        ", \"name\": \"AllTests\",\n  \"testsuites\": [\n    {\"name\": \"" + suite +
        "\", \"tests\": 1, \"failures\": 0, \"disabled\": 0, \"errors\": 0, " + stamp +
        ",\n      \"testsuite\": [\n        {\"name\": \"" + test +
        "\", \"file\": \"/course/labs/01-fifo/tests/fifo_open_test.cpp\", \"line\": 1, \"status\": \"RUN\", "
        "\"result\": \"COMPLETED\", " + stamp + ", \"classname\": \"" + suite + "\"}\n      ]\n    }\n  ]\n}\n";
    int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0) { return; }
    (void)::write(out, report.data(), report.size());
    ::close(out);
    ::_exit(0);
  }
} forged_report;
}  // namespace' "$(lab_file 01 fifo_io.cpp)"
  require=("flagged")
  grade constructor-forgery 0 "$forged" --submission "$submission" --labs 01
}
