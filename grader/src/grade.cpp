#include "grade.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>

#include "build.hpp"
#include "compile.hpp"
#include "course.hpp"
#include "scan.hpp"
#include "submission.hpp"
#include "util.hpp"

namespace grader {

namespace {

std::atomic<bool> stop_requested{false};

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// A test of the rubric, or a negative control (a run whose honest outcome is a
// failure: if it "passes", the process wrote its own report).
struct Job {
  std::size_t lab, test;
  bool control = false;
  std::string control_name;
  std::filesystem::path binary;
  std::chrono::milliseconds timeout;
};

// How long a lab's tests may take together, and how many may time out, before
// the rest of the lab is cut short. A correct lab needs a few seconds of test
// time; these bounds keep any submission's grading of seven labs under ten
// minutes on two cores (docs/instructor-guide.md).
constexpr double kLabBudgetSeconds = 90;
constexpr int kLabTimeoutLimit = 3;
constexpr double kSubmissionBudgetSeconds = 420;  // all labs' tests, wall clock

// The state of each lab while its tests run, shared by the workers.
struct LabProgress {
  double test_seconds = 0;
  int timeouts = 0;
  std::string cut_short;  ///< set once: why the rest is not run
  std::vector<std::string> forgeries;
};

// A control's name: looks like the lab's tests, is in no binary. GoogleTest
// runs nothing for it, so its honest report lists no test.
std::string no_such_test(const LabRubric& rubric) {
  std::string suite = rubric.tests.empty() ? "Test" : rubric.tests.front().name.substr(0, rubric.tests.front().name.find('.'));
  return suite + ".B" + std::to_string(std::stoi(rubric.lab.substr(0, 2))) + "_" +
         std::to_string(40 + random_hex(1)[0] % 9) + "_ReportsEveryCallAsTheHeaderSays";
}

// Under `none` as root, the sandbox uid must not read the reference or the
// hidden tests: close those folders to everyone but their owner.
void close_instructor_folders(const Course& course) {
  for (const char* name : {"solutions", "grader"}) {
    std::filesystem::path dir = course.root / name;
    struct stat info {};
    if (::stat(dir.c_str(), &info) == 0 && (info.st_mode & 0077) != 0) {
      ::chmod(dir.c_str(), info.st_mode & 0700);
    }
  }
}

}  // namespace

void request_stop() { stop_requested = true; }

GradeSession::GradeSession(const GradeOptions& options, int workers) : options_(options), workers_(workers) {
  // Everything about the input is checked before anything is built or written.
  course_ = Course::load(options.course_root);
  labs_ = course_.select(options.labs);
  for (const auto& lab : labs_) {
    rubrics_.push_back(load_rubric(rubric_path(course_.root / "grader" / "rubric", lab.id)));
  }
  if (options.jobs < 1 || options.jobs > 256) {
    throw UsageError("--jobs must be between 1 and 256 (example: --jobs 2)");
  }
  if (workers < 1 || workers * options.jobs > 256) {
    throw UsageError("--parallel times --jobs must be at most 256 (example: --parallel 2 --jobs 2)");
  }
  if (!(options.timeout_scale > 0 && options.timeout_scale <= 100)) {
    throw UsageError("--timeout-scale must be a number above 0 and at most 100 (example: --timeout-scale 2)");
  }
}

GradeSession::~GradeSession() = default;

void GradeSession::prepare() {
  if (build_) {
    return;
  }
  build_ = std::make_unique<CourseBuild>(course_, options_.jobs, options_.verbose);
  // Slots [worker * jobs, worker * jobs + jobs) belong to each worker: a uid and a cgroup each.
  sandbox_ = probe_sandbox(course_.root, build_->scratch(), options_.isolation, workers_ * options_.jobs);
  if (sandbox_.isolation == Isolation::none && sandbox_.drop_privileges) {
    close_instructor_folders(course_);
  }
  bool first_time = !std::filesystem::exists(course_.root / "build" / "grade" / "trusted" / "build.ninja");
  if (first_time || options_.verbose) {
    std::cerr << "ipclab: building the course's own tests" << (first_time ? " (once: a few minutes)" : "") << "...\n";
  }
  build_->configure();
  build_->build_trusted(labs_, !options_.public_only);
}

GradeResult GradeSession::grade(const Submission& submission, const std::string& label, int worker) {
  auto start = Clock::now();
  prepare();
  const GradeOptions& options = options_;
  const Course& course = course_;
  const std::vector<Lab>& labs = labs_;
  const std::vector<LabRubric>& rubrics = rubrics_;
  CourseBuild& build = *build_;
  const SandboxConfig& sandbox = sandbox_;
  const int first_slot = worker * options.jobs;

  GradeResult result;
  result.submission = label;
  result.isolation = sandbox.description;
  result.compile_isolation = compile_isolation(sandbox);
  result.limits = sandbox.limits_description;
  result.public_only = options.public_only;
  result.show_hidden_details = options.show_hidden_details;
  result.student_copy = std::any_of(rubrics.begin(), rubrics.end(), [](const LabRubric& r) { return r.student_copy; });
  result.course_root = course.root.string();
  Workspace workspace = build.workspace(workers_ == 1 ? "default" : "batch-" + std::to_string(worker));
  std::vector<LabFiles> files;
  for (const auto& lab : labs) {
    files.push_back(submission.locate(lab));
    build.stage(workspace, lab, files.back());
  }

  // Each lab compiled in its own sandbox, --jobs at a time.
  std::vector<LabBuild> lab_builds(labs.size());
  {
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> workers;
    for (int slot = first_slot; slot < first_slot + options.jobs && slot - first_slot < static_cast<int>(labs.size());
         ++slot) {
      workers.emplace_back([&, slot] {
        for (std::size_t i = next++; i < labs.size() && !stop_requested; i = next++) {
          if (files[i].problems.empty()) {
            lab_builds[i] = build.build(workspace, sandbox, labs[i], !options.public_only, slot, options.timeout_scale);
          }
        }
      });
    }
    for (auto& worker_thread : workers) {
      worker_thread.join();
    }
  }
  std::vector<Job> jobs;
  std::vector<std::map<std::string, TestOrigin>> origins;
  for (std::size_t i = 0; i < labs.size(); ++i) {
    LabResult lab_result;
    lab_result.lab = labs[i].id;
    lab_result.max_score = rubrics[i].max_points(options.public_only);
    LabBuild& lab_build = lab_builds[i];
    for (const auto& problem : files[i].problems) {
      lab_result.problem += (lab_result.problem.empty() ? "" : "\n") + problem;
    }
    if (lab_result.problem.empty()) {
      lab_result.problem = lab_build.problem;
      lab_result.flags = scan_lab(labs[i], workspace.staged(labs[i]), workspace.archive(labs[i]));
    }
    origins.push_back(test_origins(course, labs[i]));
    auto timeout_of = [&](std::optional<double> seconds) {
      double scaled = seconds.value_or(rubrics[i].timeout_seconds) * options.timeout_scale;
      return std::chrono::milliseconds(static_cast<long long>(scaled * 1000));
    };
    if (lab_result.problem.empty()) {
      // The controls first: a lab cut short by its budget is still checked.
      jobs.push_back({i, 0, true, no_such_test(rubrics[i]), lab_build.binaries[Binary::public_tests], timeout_of({})});
      if (lab_build.binaries.contains(Binary::hidden_tests)) {
        for (const auto& control : rubrics[i].controls) {
          jobs.push_back({i, 0, true, control, lab_build.binaries[Binary::hidden_tests], timeout_of({})});
        }
      }
    }
    for (const auto& spec : rubrics[i].tests) {
      if (options.public_only && spec.binary != Binary::public_tests) {
        continue;
      }
      TestResult test{spec, Status::not_run, 0, "", 0};
      if (!lab_result.problem.empty()) {
        test.message = "not run: the lab could not be built (see the lab's message)";
      } else if (!lab_build.binaries.contains(spec.binary)) {
        test.message = "not run: the course has no " + to_string(spec.binary) + " test binary for " + labs[i].id +
                       " (the rubric and the tests disagree: run ./ipclab test)";
      } else {
        jobs.push_back({i, lab_result.tests.size(), false, "", lab_build.binaries[spec.binary],
                        timeout_of(spec.timeout_seconds)});
      }
      lab_result.tests.push_back(std::move(test));
    }
    result.labs.push_back(std::move(lab_result));
  }
  result.build_seconds = since(start);

  // The tests: --jobs workers take the next test from one queue. Each result
  // goes to its own slot, so the order (and the report) never depends on timing.
  auto test_start = Clock::now();
  std::atomic<std::size_t> next{0};
  std::mutex progress_lock;
  std::vector<LabProgress> progress(labs.size());
  const double lab_budget = kLabBudgetSeconds * options.timeout_scale;
  const double submission_budget = kSubmissionBudgetSeconds * options.timeout_scale;
  auto run_tests = [&](int slot) {
    for (std::size_t index = next++; index < jobs.size() && !stop_requested; index = next++) {
      const Job& job = jobs[index];
      LabProgress& lab = progress[job.lab];
      {
        std::lock_guard lock(progress_lock);
        if (lab.cut_short.empty() && since(test_start) > submission_budget) {
          lab.cut_short = "the submission's tests used up their time budget (" + format_points(submission_budget) +
                          " s for all labs), so the rest were not run";
        }
        if (!lab.cut_short.empty() && !job.control) {
          result.labs[job.lab].tests[job.test].message = "not run (cut short): " + lab.cut_short;
          continue;
        }
      }
      std::string name = job.control ? job.control_name : result.labs[job.lab].tests[job.test].spec.name;
      TempDir work(build.scratch(), "run.");
      TestRequest request{job.binary, name, job.timeout, options.timeout_scale, slot, work.path()};
      TestRun run = run_test(sandbox, request);
      Verdict verdict = judge(run, name, job.timeout);
      std::lock_guard lock(progress_lock);
      lab.test_seconds += run.seconds;
      lab.timeouts += run.timed_out;
      if (job.control) {
        if (verdict.status == Status::passed) {
          lab.forgeries.push_back("a negative control passed: a test run whose honest outcome is a failure "
                                  "ended with a passing report");
        }
      } else {
        TestResult& test = result.labs[job.lab].tests[job.test];
        test.status = verdict.status;
        test.message = verdict.message;
        test.seconds = run.seconds;
        test.score = verdict.status == Status::passed ? test.spec.points : 0;
        if (verdict.status == Status::passed) {
          auto origin = origins[job.lab].find(name);
          std::string odd = origin == origins[job.lab].end()
                                ? "the course's sources define no test " + name
                                : implausible_report(*run.report, name, origin->second, run.seconds);
          if (!odd.empty()) {
            lab.forgeries.push_back(odd);
          }
        }
        if (options.verbose) {
          std::cerr << "ipclab: " << name << ": " << to_string(test.status) << " ("
                    << static_cast<int>(run.seconds * 1000) << " ms)\n";
        }
      }
      if (lab.cut_short.empty() && lab.timeouts >= kLabTimeoutLimit) {
        lab.cut_short = std::to_string(lab.timeouts) + " tests of this lab timed out, so its other tests were not "
                        "run (a hang before main() or at exit? a correct solution's tests end in well under a second)";
      } else if (lab.cut_short.empty() && lab.test_seconds > lab_budget) {
        lab.cut_short = "the tests of this lab used up its time budget (" + format_points(lab_budget) +
                        " s of test time; a correct solution needs a few seconds), so its other tests were not run "
                        "(slow code before main() or at exit?)";
      }
    }
  };
  std::vector<std::thread> workers;
  for (int slot = first_slot; slot < first_slot + options.jobs; ++slot) {
    workers.emplace_back(run_tests, slot);
  }
  for (auto& thread : workers) {
    thread.join();
  }
  if (stop_requested) {
    throw GradingError("interrupted: no report was written");
  }
  result.test_seconds = since(test_start);
  for (std::size_t i = 0; i < result.labs.size(); ++i) {
    LabResult& lab = result.labs[i];
    lab.cut_short = progress[i].cut_short;
    if (!progress[i].forgeries.empty()) {
      lab.forged = true;
      lab.forged_why = progress[i].forgeries.front();
      for (auto& test : lab.tests) {
        test.score = 0;
      }
    }
    for (const auto& test : lab.tests) {
      lab.score += test.score;
    }
    result.score += lab.score;
    result.max_score += lab.max_score;
  }
  result.total_seconds = since(start);
  return result;
}

GradeResult grade(const GradeOptions& options) {
  Course course = Course::load(options.course_root);
  std::filesystem::path submission_path = course.root / "labs";
  if (options.solutions) {
    submission_path = course.root / "solutions";
    if (!std::filesystem::is_directory(submission_path)) {
      throw UsageError("--solutions: this copy of the course has no solutions/ folder (a student copy?)");
    }
  } else if (options.submission) {
    if (!std::filesystem::exists(*options.submission)) {
      throw UsageError("the submission " + quote_name(options.submission->string()) +
                       " does not exist: give a student's checkout, a folder holding the .cpp files, a .zip or a .tar.gz");
    }
    submission_path = *options.submission;
  }
  GradeSession session(options, 1);
  Submission submission(submission_path, options.intake);
  for (const auto& note : submission.notes()) {
    std::cerr << "ipclab: " << note << "\n";
  }
  return session.grade(submission, options.solutions ? "the reference solutions (solutions/)" : submission.label(), 0);
}

}  // namespace grader
