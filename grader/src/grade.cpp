#include "grade.hpp"

#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>

#include "build.hpp"
#include "course.hpp"
#include "submission.hpp"
#include "util.hpp"

namespace grader {

namespace {

std::atomic<bool> stop_requested{false};

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct Job {
  std::size_t lab, test;
  std::filesystem::path binary;
  std::chrono::milliseconds timeout;
};

}  // namespace

void request_stop() { stop_requested = true; }

GradeResult grade(const GradeOptions& options) {
  auto start = Clock::now();
  // Everything about the input is checked before anything is built or written.
  Course course = Course::load(options.course_root);
  if (options.submission && !std::filesystem::exists(*options.submission)) {
    throw UsageError("the submission " + options.submission->string() +
                     " does not exist: give a student's checkout, a folder holding the .cpp files, a .zip or a .tar.gz");
  }
  std::vector<Lab> labs = course.select(options.labs);
  std::vector<LabRubric> rubrics;
  for (const auto& lab : labs) {
    rubrics.push_back(load_rubric(rubric_path(course.root / "grader" / "rubric", lab.id)));
  }
  if (options.jobs < 1 || options.jobs > 256) {
    throw UsageError("--jobs must be between 1 and 256 (example: --jobs 2)");
  }
  if (!(options.timeout_scale > 0 && options.timeout_scale <= 100)) {
    throw UsageError("--timeout-scale must be a number above 0 and at most 100 (example: --timeout-scale 2)");
  }
  std::filesystem::path submission_path = course.root / "labs";
  if (options.solutions) {
    submission_path = course.root / "solutions";
    if (!std::filesystem::is_directory(submission_path)) {
      throw UsageError("--solutions: this copy of the course has no solutions/ folder (a student copy?)");
    }
  } else if (options.submission) {
    submission_path = *options.submission;
  }

  CourseBuild build(course, options.jobs, options.verbose);
  Submission submission(submission_path, build.scratch());
  SandboxConfig sandbox = probe_sandbox(course.root, build.scratch(), options.isolation, options.jobs);

  GradeResult result;
  result.submission = options.solutions ? "the reference solutions (solutions/)" : submission.label();
  result.isolation = sandbox.description;
  result.public_only = options.public_only;
  result.show_hidden_details = options.show_hidden_details;
  result.course_root = course.root.string();
  std::vector<LabFiles> files;
  for (const auto& lab : labs) {
    files.push_back(submission.locate(lab));
    build.stage(lab, files.back());
  }
  build.configure();

  std::vector<Job> jobs;
  for (std::size_t i = 0; i < labs.size(); ++i) {
    LabResult lab_result;
    lab_result.lab = labs[i].id;
    lab_result.max_score = rubrics[i].max_points(options.public_only);
    LabBuild lab_build;
    if (!files[i].problems.empty()) {
      for (const auto& problem : files[i].problems) {
        lab_result.problem += (lab_result.problem.empty() ? "" : "\n") + problem;
      }
    } else {
      lab_build = build.build(labs[i], !options.public_only);
      lab_result.problem = lab_build.problem;
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
        double seconds = spec.timeout_seconds.value_or(rubrics[i].timeout_seconds) * options.timeout_scale;
        jobs.push_back({i, lab_result.tests.size(), lab_build.binaries[spec.binary],
                        std::chrono::milliseconds(static_cast<long long>(seconds * 1000))});
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
  std::mutex progress;
  auto worker = [&](int slot) {
    for (std::size_t index = next++; index < jobs.size() && !stop_requested; index = next++) {
      const Job& job = jobs[index];
      TestResult& test = result.labs[job.lab].tests[job.test];
      TempDir work(build.scratch(), "run.");
      TestRequest request{job.binary, test.spec.name, job.timeout, options.timeout_scale, slot, work.path()};
      TestRun run = run_test(sandbox, request);
      Verdict verdict = judge(run, test.spec.name, job.timeout);
      test.status = verdict.status;
      test.message = verdict.message;
      test.seconds = run.seconds;
      test.score = verdict.status == Status::passed ? test.spec.points : 0;
      if (options.verbose) {
        std::lock_guard lock(progress);
        std::cerr << "ipclab: " << test.spec.name << ": " << to_string(test.status) << " ("
                  << static_cast<int>(run.seconds * 1000) << " ms)\n";
      }
    }
  };
  std::vector<std::thread> workers;
  for (int slot = 0; slot < options.jobs; ++slot) {
    workers.emplace_back(worker, slot);
  }
  for (auto& thread : workers) {
    thread.join();
  }
  if (stop_requested) {
    throw GradingError("interrupted: no report was written");
  }
  result.test_seconds = since(test_start);
  for (auto& lab : result.labs) {
    for (const auto& test : lab.tests) {
      lab.score += test.score;
    }
    result.score += lab.score;
    result.max_score += lab.max_score;
  }
  result.total_seconds = since(start);
  return result;
}

}  // namespace grader
