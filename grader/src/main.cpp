// ipclab-grader: grades submissions of the ipclab course, and checks the rubric.
// Called by ./ipclab (grade, test); see grader/README.md for the contract.
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>

#include "build.hpp"
#include "grade.hpp"
#include "grade_all.hpp"
#include "process.hpp"
#include "report.hpp"
#include "util.hpp"

namespace {

using namespace grader;

constexpr int kExitRubricMismatch = 1;
constexpr int kExitBelowThreshold = 1;  // grade --fail-under: the score is lower
constexpr int kExitUsage = 2;
constexpr int kExitGradingError = 3;

void on_signal(int) { request_stop(); }

// Refuses an output path whose folder is missing before any work is done, so
// that a typo costs a second, not a full grading run.
void check_output_path(const std::string& option, const std::string& path) {
  if (path.empty()) {
    return;
  }
  fs::path parent = fs::absolute(path).parent_path();
  if (!fs::is_directory(parent) || ::access(parent.c_str(), W_OK) != 0) {
    throw UsageError(option + " " + path + ": the folder " + parent.string() +
                     " does not exist or is not writable");
  }
  if (fs::is_directory(path)) {
    throw UsageError(option + " " + path + " is a folder; give a file name (example: " + option +
                     " results.json)");
  }
  std::error_code ec;
  if (fs::exists(fs::symlink_status(path, ec)) && !fs::is_regular_file(fs::symlink_status(path, ec))) {
    // Written as a file beside it and renamed over it: a device or a link would be replaced.
    throw UsageError(option + " " + path + " exists and is not a regular file; give a file name (example: " +
                     option + " results.json)");
  }
}

// The test names of every binary of `lab`, built from the course's own code
// (solutions/ when present, else labs/): trusted, so it may run unsandboxed.
TestListing list_tests(CourseBuild& build, const Workspace& workspace, const SandboxConfig& sandbox,
                       const Course& course, const Lab& lab) {
  LabBuild built = build.build(workspace, sandbox, lab, true, 0, 1.0);
  if (!built.ok) {
    throw GradingError("cannot build lab " + lab.id + " to list its tests:\n" + built.problem);
  }
  TestListing listing;
  for (const auto& [binary, path] : built.binaries) {
    CommandResult listed = run_command({path.string(), "--gtest_list_tests"}, course.root, std::chrono::seconds(60));
    if (listed.exit_code != 0) {
      throw GradingError(path.string() + " --gtest_list_tests failed:\n" + first_lines(listed.output, 10));
    }
    listing[binary] = parse_test_list(listed.output);
  }
  return listing;
}

// check-rubric (write = false) and rubric --sync (write = true).
int rubric_command(const std::string& course_root, const std::string& labs_option, bool write, int jobs) {
  Course course = Course::load(course_root);
  std::vector<Lab> labs = course.select(labs_option);
  CourseBuild build(course, jobs, false);
  fs::path reference = fs::is_directory(course.root / "solutions") ? course.root / "solutions" : course.root / "labs";
  Submission submission(reference);
  SandboxConfig sandbox = probe_sandbox(course.root, build.scratch(), std::nullopt, 1);
  Workspace workspace = build.workspace("rubric");
  for (const auto& lab : labs) {
    build.stage(workspace, lab, submission.locate(lab));
  }
  build.configure();
  build.build_trusted(labs, true);
  int problems = 0;
  for (const auto& lab : labs) {
    TestListing listing = list_tests(build, workspace, sandbox, course, lab);
    fs::path path = rubric_path(course.root / "grader" / "rubric", lab.id);
    LabRubric rubric;
    rubric.lab = lab.id;
    if (fs::exists(path) || !write) {
      rubric = load_rubric(path);
    }
    auto differences = compare_rubric(rubric, listing, lab.number);
    for (const auto& line : differences) {
      std::cout << (write ? "synced: " : "") << line << "\n";
    }
    if (write && !differences.empty()) {
      write_file_atomically(path, rubric_to_json(sync_rubric(rubric, listing)));
      std::cout << "wrote " << path.string() << "\n";
    }
    if (!write) {
      problems += static_cast<int>(differences.size());
      if (differences.empty()) {
        std::cout << lab.id << ": the rubric and the test binaries agree (" << rubric.tests.size() << " tests)\n";
      }
    }
  }
  if (problems > 0) {
    std::cout << problems << " disagreement(s) between the rubric and the tests: add or remove the tests in "
                 "grader/rubric/, or run `build/grader/ipclab-grader rubric --sync --course .`\n";
    return kExitRubricMismatch;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ipclab-grader: builds a submission of the ipclab course against the trusted course tree, runs "
               "each test alone in a sandbox, and scores it with the rubric in grader/rubric/."};
  app.require_subcommand(1);
  app.footer("Exit status: 0 when grading ran (whatever the score, unless --fail-under), 1 when check-rubric finds a "
             "disagreement or the score is below --fail-under, 2 for bad input, 3 when grading itself could not run, "
             "130 when interrupted.");
  std::string course_root = ".";
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  GradeOptions options;
  std::string submission, json_path, gradescope_path, junit_path, feedback_path, isolation;
  options.jobs = cores;
  std::uint64_t max_archive_mb = IntakeLimits{}.max_bytes >> 20;
  std::size_t max_archive_entries = IntakeLimits{}.max_entries;
  // The options that grade and grade-all share (one submission, or each of many).
  auto add_grading_options = [&](CLI::App* command) {
    command->add_option("--course", course_root, "The course checkout (example: --course .)")
        ->check(CLI::ExistingDirectory);
    command->add_option("--labs", options.labs, "Grade only these labs (example: --labs 01,03)");
    command->add_flag("--public-only", options.public_only, "Run only the public tests (example: --public-only)");
    command->add_option("--jobs", options.jobs,
                        "Tests run in parallel (per submission); default: the number of cores (example: --jobs 2)");
    command->add_option("--timeout-scale", options.timeout_scale,
                        "Multiply every timeout, for slow machines (example: --timeout-scale 2)");
    command->add_option("--isolation", isolation,
                        "Force a sandbox level instead of the best that works: bubblewrap, unshare or none "
                        "(example: --isolation unshare)");
    command->add_option("--max-archive-mb", max_archive_mb,
                        "Refuse an archive that unpacks to more than this many MiB; default: 50 "
                        "(example: --max-archive-mb 200)");
    command->add_option("--max-archive-entries", max_archive_entries,
                        "Refuse an archive of more entries (files, folders, links) than this; default: 2000 "
                        "(example: --max-archive-entries 10000)");
    command->add_flag("--show-hidden-details", options.show_hidden_details,
                      "For instructors, after the due date: failing hidden tests show their whole failure text "
                      "(source file and line, assertions, output) in every report, instead of their behaviour id "
                      "and explanation only (example: --show-hidden-details)");
  };
  auto* grade_cmd = app.add_subcommand("grade", "Grade a submission (default: this checkout's labs/).");
  add_grading_options(grade_cmd);
  grade_cmd->add_option("--submission", submission,
                        "A student's checkout, a folder holding the lab files anywhere, a .zip, a .tar.gz or a "
                        ".tar.xz (example: --submission ~/alice.zip)");
  grade_cmd->add_flag("--solutions", options.solutions, "Grade the reference solutions in solutions/ (example: --solutions)");
  grade_cmd->add_option("--json", json_path, "Write the results as JSON (Gradescope's format) (example: --json out.json)");
  grade_cmd->add_option("--gradescope", gradescope_path,
                        "Write Gradescope's results.json (example: --gradescope /autograder/results/results.json)");
  grade_cmd->add_option("--junit", junit_path, "Write JUnit XML (example: --junit junit.xml)");
  grade_cmd->add_option("--feedback", feedback_path, "Write Markdown feedback for the student (example: --feedback feedback.md)");
  grade_cmd->add_flag("-v,--verbose", options.verbose,
                      "Say what is being built and each test's result, and list every test that did not pass with "
                      "its message, as --details does (example: -v)");
  bool details = false;
  grade_cmd->add_flag("--details", details,
                      "List every test that did not pass with its message, instead of the summary (one line per lab, "
                      "then the failing tests of the labs you started) (example: --details)");

  BatchOptions batch;
  std::string batch_dir, batch_csv, batch_out;
  auto* batch_cmd = app.add_subcommand(
      "grade-all", "Grade a class: every entry of DIR (a folder, .zip or .tar.gz per student, named after the student) "
                   "into a CSV gradebook, a feedback file per student and a summary of what the class failed.");
  add_grading_options(batch_cmd);
  batch_cmd->add_option("dir", batch_dir, "The folder of submissions (example: grade-all ~/hw1)")->required();
  batch_cmd->add_option("--csv", batch_csv, "The gradebook to write (example: --csv grades.csv)")->required();
  batch_cmd->add_option("--out", batch_out,
                        "The folder for feedback (ID.md), results (ID.record.json) and summary.md; default: "
                        "GRADES-feedback beside the CSV (example: --out feedback/)");
  batch_cmd->add_flag("--force", batch.force, "Grade again the students graded by an earlier run (example: --force)");
  batch_cmd->add_option("--parallel", batch.parallel,
                        "Students graded at once, each with --jobs tests at a time; default: 2 (example: --parallel 1)");

  double fail_under = -1;
  grade_cmd
      ->add_option("--fail-under", fail_under,
                   "Exit with status 1, after every report is written, when the score is below this percentage of "
                   "the points: for CI and GitHub Classroom, where a lab counts only when its command succeeds "
                   "(example: --fail-under 100)")
      ->check(CLI::Range(0.0, 100.0));

  std::string labs_option;
  int rubric_jobs = cores;
  auto* check_cmd = app.add_subcommand("check-rubric",
                                       "Build the course's tests and check that they and grader/rubric/ name the same tests.");
  check_cmd->add_option("--course", course_root, "The course checkout (example: --course .)")->check(CLI::ExistingDirectory);
  check_cmd->add_option("--labs", labs_option, "Check only these labs (example: --labs 01)");
  check_cmd->add_option("--jobs", rubric_jobs, "Parallel build jobs (example: --jobs 2)");
  bool sync = false;
  auto* rubric_cmd = app.add_subcommand("rubric", "Maintain grader/rubric/.");
  rubric_cmd->add_option("--course", course_root, "The course checkout (example: --course .)")->check(CLI::ExistingDirectory);
  rubric_cmd->add_option("--labs", labs_option, "Only these labs (example: --labs 01)");
  rubric_cmd->add_option("--jobs", rubric_jobs, "Parallel build jobs (example: --jobs 2)");
  rubric_cmd->add_flag("--sync", sync,
                       "Add the tests the rubric lacks (1 point; visible if public, after_due_date if hidden), drop "
                       "those no binary has, keep everything else (example: rubric --sync)")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? 0 : kExitUsage;
  }

  struct sigaction action {};
  action.sa_handler = on_signal;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  // Orphans of a test (a daemon it forked, the processes of a dying sandbox)
  // come to us rather than to init, so that we can reap them before we report.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);

  try {
    if (*check_cmd) {
      return rubric_command(course_root, labs_option, false, rubric_jobs);
    }
    if (*rubric_cmd) {
      return rubric_command(course_root, labs_option, true, rubric_jobs);
    }
    options.course_root = course_root;
    options.intake = intake_limits(max_archive_mb, max_archive_entries);
    if (!isolation.empty()) {
      options.isolation = isolation_from_string(isolation);
      if (!options.isolation) {
        throw UsageError("--isolation " + isolation + ": use bubblewrap, unshare or none");
      }
    }
    if (*batch_cmd) {
      batch.grade = options;
      batch.dir = batch_dir;
      batch.csv = batch_csv;
      batch.out_dir = batch_out;
      check_output_path("--csv", batch_csv);
      return grade_all(batch);
    }
    if (!submission.empty()) {
      if (options.solutions) {
        throw UsageError("--submission and --solutions exclude each other: grade one or the other");
      }
      options.submission = submission;
    }
    check_output_path("--json", json_path);
    check_output_path("--gradescope", gradescope_path);
    check_output_path("--junit", junit_path);
    check_output_path("--feedback", feedback_path);

    GradeResult result = grade(options);
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    bool color = ::isatty(1) && no_color == nullptr && (term == nullptr || std::string(term) != "dumb");
    std::cout << terminal_report(result, color, options.jobs, details || options.verbose) << std::flush;
    for (const auto& path : {json_path, gradescope_path}) {
      if (!path.empty()) {
        write_file_atomically(path, gradescope_json(result));
      }
    }
    if (!junit_path.empty()) {
      write_file_atomically(junit_path, junit_xml(result));
    }
    if (!feedback_path.empty()) {
      write_file_atomically(feedback_path, markdown_feedback(result));
    }
    // Compared in points, not in rounded percentages, with room for the sums
    // of fractional points: 100 means every point.
    if (fail_under >= 0 && result.score + 1e-9 < fail_under / 100.0 * result.max_score) {
      std::cerr << "ipclab-grader: the score " << format_points(result.score) << "/" << format_points(result.max_score)
                << " is below --fail-under " << format_points(fail_under) << "%\n";
      return kExitBelowThreshold;
    }
    return 0;
  } catch (const UsageError& error) {
    std::cerr << "ipclab-grader: " << error.what() << "\n";
    return kExitUsage;
  } catch (const GradingError& error) {
    std::cerr << "ipclab-grader: grading could not run: " << error.what() << "\n";
    return error.what() == std::string("interrupted: no report was written") ? 130 : kExitGradingError;
  } catch (const std::exception& error) {
    std::cerr << "ipclab-grader: grading could not run: " << error.what() << "\n";
    return kExitGradingError;
  }
}
