# Attack: a wrong solution of lab 01 (the reference, with make_fifo giving
# everyone read permission: B1.1 fails) that launders GoogleTest's real report
# after the test ran: at exit (a static destructor, or an atexit handler) it
# finds the report's path in /proc/self/cmdline, drops the "failures" arrays,
# sets every failure count to 0, writes it back and _exit(0)s. The report is
# otherwise GoogleTest's own: right file, line and time.
# Must happen: the hidden negative control (a test that always fails) is
# laundered into a pass as well, so the lab's verdicts are void: 0, and the
# results say it was forged; the scan flags it. A first row grades the wrong
# solution without laundering: it must lose points, or this case proves nothing.
forged='forged|wrote its own report|negative control|the report places'
launder_code='#include <cctype>
namespace {
// After main() returned, GoogleTest has written its report: take out every
// failure, then leave before anything else can run.
void launder_report() {
  std::string args;
  int fd = ::open("/proc/self/cmdline", O_RDONLY);
  if (fd < 0) { return; }
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) { args.append(buffer, static_cast<std::size_t>(n)); }
  ::close(fd);
  std::string path;
  for (std::size_t at = 0; at < args.size(); at += std::strlen(args.c_str() + at) + 1) {
    std::string arg = args.c_str() + at;
    if (arg.rfind("--gtest_output=json:", 0) == 0) { path = arg.substr(20); }
  }
  if (path.empty()) { return; }
  std::string report;
  fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) { return; }
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) { report.append(buffer, static_cast<std::size_t>(n)); }
  ::close(fd);
  const std::string array_key = "\"failures\": [";
  for (std::size_t at; (at = report.find(array_key)) != std::string::npos;) {
    std::size_t end = at + array_key.size();
    bool in_string = false;
    for (int depth = 1; end < report.size() && depth > 0; ++end) {
      char c = report[end];
      if (in_string) {
        if (c == 0x5c) { ++end; } else if (c == 0x22) { in_string = false; }
      } else if (c == 0x22) { in_string = true; } else if (c == 0x5b) { ++depth; } else if (c == 0x5d) { --depth; }
    }
    std::size_t comma = report.rfind(",", at);
    report.erase(comma, end - comma);
  }
  const std::string count_key = "\"failures\": ";
  for (std::size_t at = 0; (at = report.find(count_key, at)) != std::string::npos; at += count_key.size()) {
    std::size_t digits = at + count_key.size(), end = digits;
    while (end < report.size() && std::isdigit(static_cast<unsigned char>(report[end])) != 0) { ++end; }
    report.replace(digits, end - digits, "0");
  }
  fd = ::open(path.c_str(), O_WRONLY | O_TRUNC);
  if (fd < 0) { return; }
  (void)::write(fd, report.data(), report.size());
  ::close(fd);
  ::_exit(0);
}'
run() {
  local variant file
  for variant in honest destructor atexit; do
    new_submission "destructor-laundering-$variant"
    add_lab 01
    file=$(lab_file 01 fifo_io.cpp)
    perl -0pi -e 's/::mkfifo\(path\.c_str\(\), mode\)/::mkfifo(path.c_str(), mode | 0004)/' "$file"
    grep -q 'mode | 0004' "$file" || { prepare_failed "destructor-laundering/$variant" "make_fifo not found"; return; }
    case $variant in
      destructor) append_to_fifo_io "$launder_code
struct Launderer { ~Launderer() { launder_report(); } } launderer;
}  // namespace" "$file" ;;
      atexit) append_to_fifo_io "$launder_code
struct Registration { Registration() { std::atexit(launder_report); } } registration;
}  // namespace" "$file" ;;
    esac
    if [ $variant = honest ]; then
      grade "destructor-laundering/$variant" below-max "B1\\.1\\b" --submission "$submission" --labs 01
    else
      require=("flagged")
      grade "destructor-laundering/$variant" 0 "$forged" --submission "$submission" --labs 01
    fi
  done
}
