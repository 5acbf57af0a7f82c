#include "grade_all.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "report.hpp"
#include "submission.hpp"
#include "util.hpp"

namespace grader {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Entry {
  std::string student;
  fs::path path;
};

std::string strip_archive_extension(const std::string& name) {
  for (const char* extension : {".tar.gz", ".tar.xz", ".tgz", ".zip", ".tar"}) {
    std::string ext = extension;
    if (name.size() > ext.size() && name.ends_with(ext)) {
      return name.substr(0, name.size() - ext.size());
    }
  }
  return name;
}

// The students, in name order: every entry of DIR but hidden ones. Two
// entries with one id (alice/ and alice.zip) are both kept and both reported.
std::vector<Entry> list_students(const fs::path& dir) {
  std::vector<Entry> entries;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!name.starts_with(".")) {
      entries.push_back({strip_archive_extension(name), it->path()});
    }
  }
  if (ec) {
    throw UsageError("cannot read " + quote_name(dir.string()) + ": " + ec.message());
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.path < b.path; });
  return entries;
}

json to_json(const StudentRecord& record) {
  json labs = json::object();
  for (const auto& [id, lab] : record.labs) {
    labs[id] = {{"score", lab.score}, {"max_score", lab.max_score}, {"forged", lab.forged},
                {"cut_short", lab.cut_short}, {"flags", lab.flags}};
  }
  return {{"student", record.student}, {"error", record.error}, {"score", record.score},
          {"max_score", record.max_score}, {"seconds", record.seconds}, {"labs", labs}, {"failed", record.failed}};
}

std::optional<StudentRecord> from_json(const std::string& text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return std::nullopt;
  }
  try {
    StudentRecord record;
    record.student = doc.at("student").get<std::string>();
    record.error = doc.at("error").get<std::string>();
    record.score = doc.at("score").get<double>();
    record.max_score = doc.at("max_score").get<double>();
    record.seconds = doc.at("seconds").get<double>();
    for (const auto& [id, lab] : doc.at("labs").items()) {
      record.labs[id] = {lab.at("score").get<double>(), lab.at("max_score").get<double>(),
                         lab.at("forged").get<bool>(), lab.at("cut_short").get<bool>(), lab.at("flags").get<int>()};
    }
    record.failed = doc.at("failed").get<std::vector<std::string>>();
    return record;
  } catch (const json::exception&) {
    return std::nullopt;  // an old or damaged record: the student is graded again
  }
}

StudentRecord record_of(const std::string& student, const GradeResult& result) {
  StudentRecord record;
  record.student = student;
  record.score = result.score;
  record.max_score = result.max_score;
  record.seconds = result.total_seconds;
  for (const auto& lab : result.labs) {
    record.labs[lab.lab] = {lab.score, lab.max_score, lab.forged, !lab.cut_short.empty(),
                            static_cast<int>(lab.flags.size())};
    for (const auto& test : lab.tests) {
      if (test.status != Status::passed) {
        record.failed.push_back(lab.lab + " " + test.spec.name);
      }
    }
  }
  return record;
}

std::string duration(double seconds) {
  long total = static_cast<long>(seconds + 0.5);
  char text[32];
  std::snprintf(text, sizeof text, total >= 60 ? "%ldm%02lds" : "%lds", total >= 60 ? total / 60 : total, total % 60);
  return text;
}

// Progress on stderr: a bar that redraws itself on a terminal, a line per
// student elsewhere (CI logs, files).
class Progress {
 public:
  Progress(std::size_t total, std::size_t done, int parallel)
      : total_(total), done_(done), parallel_(parallel), tty_(::isatty(2) != 0), start_(Clock::now()) {}

  void finished(const StudentRecord& record) {
    std::lock_guard lock(lock_);
    ++done_;
    ++graded_;
    std::string outcome = record.error.empty() ? format_points(record.score) + "/" + format_points(record.max_score)
                                               : "not graded";
    double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    double left = graded_ == 0 ? 0 : elapsed / static_cast<double>(graded_) * static_cast<double>(total_ - done_);
    std::string eta = done_ < total_ ? ", about " + duration(left) + " left" : "";
    if (tty_) {
      constexpr std::size_t kWidth = 30;
      std::size_t filled = total_ == 0 ? kWidth : kWidth * done_ / total_;
      std::cerr << "\r\033[K[" << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] " << done_ << "/"
                << total_ << "  " << printable(quote_name(record.student, 40)) << " " << outcome << eta
                << std::flush;
    } else {
      std::cerr << "[" << done_ << "/" << total_ << "] " << printable(quote_name(record.student, 80)) << ": "
                << outcome << " (" << format_points(std::round(record.seconds * 10) / 10) << " s" << eta << ")\n";
    }
    (void)parallel_;
  }

  void close() {
    if (tty_) {
      std::cerr << "\n";
    }
  }

 private:
  std::mutex lock_;
  std::size_t total_, done_, graded_ = 0;
  int parallel_;
  bool tty_;
  Clock::time_point start_;
};

double median(std::vector<double> values) {
  if (values.empty()) {
    return 0;
  }
  std::sort(values.begin(), values.end());
  std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

}  // namespace

std::string csv_field(const std::string& text) {
  std::string value = printable(text);
  if (!value.empty() && std::string("=+-@\t").find(value[0]) != std::string::npos) {
    value = "'" + value;
  }
  if (value.find_first_of(",\"\n\r") == std::string::npos) {
    return value;
  }
  return "\"" + replace_all(value, "\"", "\"\"") + "\"";
}

std::string safe_file_name(const std::string& id) {
  std::string name;
  bool changed = id.empty() || id.starts_with(".");
  for (char c : id) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    name += keep ? c : '_';
    changed = changed || !keep;
  }
  if (name.size() > 100) {
    name.resize(100);
    changed = true;
  }
  if (changed) {
    std::uint64_t hash = 1469598103934665603ull;  // FNV-1a: distinct ids, distinct names
    for (unsigned char c : id) {
      hash = (hash ^ c) * 1099511628211ull;
    }
    char suffix[24];
    std::snprintf(suffix, sizeof suffix, "-%08llx", static_cast<unsigned long long>(hash & 0xffffffffull));
    name = "student_" + name + suffix;
  }
  return name;
}

std::string gradebook_csv(const std::vector<StudentRecord>& records, const std::vector<std::string>& labs) {
  std::string csv = "student,total,max,percent";
  for (const auto& lab : labs) {
    csv += "," + csv_field(lab);
  }
  csv += ",status\n";
  for (const auto& record : records) {
    char percent[16];
    std::snprintf(percent, sizeof percent, "%.1f", record.max_score > 0 ? 100 * record.score / record.max_score : 0.0);
    csv += csv_field(record.student) + "," + format_points(record.score) + "," + format_points(record.max_score) + "," +
           (record.error.empty() ? percent : "");
    std::vector<std::string> notes;
    for (const auto& lab : labs) {
      auto found = record.labs.find(lab);
      csv += "," + (found == record.labs.end() ? std::string() : format_points(found->second.score));
      if (found != record.labs.end()) {
        if (found->second.forged) {
          notes.push_back(lab + " forged report");
        }
        if (found->second.flags > 0) {
          notes.push_back(lab + " " + std::to_string(found->second.flags) + " flagged for review");
        }
        if (found->second.cut_short) {
          notes.push_back(lab + " cut short");
        }
      }
    }
    std::string status = record.error.empty() ? "graded" : "not graded: " + record.error;
    for (const auto& note : notes) {
      status += "; " + note;
    }
    csv += "," + csv_field(status) + "\n";
  }
  return csv;
}

std::string batch_summary(const std::vector<StudentRecord>& records, const std::vector<std::string>& labs) {
  std::string text = "# Batch summary\n\n";
  std::size_t graded = std::count_if(records.begin(), records.end(), [](auto& r) { return r.error.empty(); });
  text += std::to_string(records.size()) + " submissions, " + std::to_string(graded) + " graded";
  if (graded < records.size()) {
    text += ", " + std::to_string(records.size() - graded) + " could not be graded (see the CSV's status column)";
  }
  text += ".\n\n## Scores per lab\n\n| lab | mean | median | min | max | 0–49% | 50–79% | 80–99% | 100% | forged | flagged | cut short |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& lab : labs) {
    std::vector<double> scores;
    double max_score = 0;
    int buckets[4] = {0, 0, 0, 0}, forged = 0, flagged = 0, cut = 0;
    for (const auto& record : records) {
      auto found = record.labs.find(lab);
      if (!record.error.empty() || found == record.labs.end()) {
        continue;
      }
      const auto& l = found->second;
      scores.push_back(l.score);
      max_score = l.max_score;
      double ratio = l.max_score > 0 ? l.score / l.max_score : 1;
      buckets[ratio >= 1 ? 3 : ratio >= 0.8 ? 2 : ratio >= 0.5 ? 1 : 0]++;
      forged += l.forged;
      flagged += l.flags > 0;
      cut += l.cut_short;
    }
    if (scores.empty()) {
      continue;
    }
    double sum = 0;
    for (double s : scores) {
      sum += s;
    }
    char mean[32];
    std::snprintf(mean, sizeof mean, "%.1f", sum / static_cast<double>(scores.size()));
    text += "| " + lab + " | " + mean + " / " + format_points(max_score) + " | " + format_points(median(scores)) +
            " | " + format_points(*std::min_element(scores.begin(), scores.end())) + " | " +
            format_points(*std::max_element(scores.begin(), scores.end())) + " | " + std::to_string(buckets[0]) +
            " | " + std::to_string(buckets[1]) + " | " + std::to_string(buckets[2]) + " | " +
            std::to_string(buckets[3]) + " | " + std::to_string(forged) + " | " + std::to_string(flagged) + " | " +
            std::to_string(cut) + " |\n";
  }
  text += "\n## The tests most students failed\n\nPer lab, the tests failed by the most graded students (a test "
          "most of the class fails is a behaviour to teach again).\n";
  for (const auto& lab : labs) {
    std::map<std::string, int> failed;
    for (const auto& record : records) {
      if (record.error.empty()) {
        for (const auto& test : record.failed) {
          if (test.starts_with(lab + " ")) {
            failed[test.substr(lab.size() + 1)]++;
          }
        }
      }
    }
    std::vector<std::pair<std::string, int>> ranked(failed.begin(), failed.end());
    std::stable_sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) { return a.second > b.second; });
    text += "\n### " + lab + "\n\n";
    if (ranked.empty()) {
      text += "Every graded student passed every test.\n";
      continue;
    }
    text += "| failed by | behaviour | test |\n|---|---|---|\n";
    for (std::size_t i = 0; i < ranked.size() && i < 15; ++i) {
      std::string id = behaviour_id(ranked[i].first);
      text += "| " + std::to_string(ranked[i].second) + " of " + std::to_string(graded) + " | " +
              (id.empty() ? "—" : id) + " | `" + ranked[i].first + "` |\n";
    }
    if (ranked.size() > 15) {
      text += "\n(" + std::to_string(ranked.size() - 15) + " more failed tests, each by as many students or fewer)\n";
    }
  }
  return text;
}

int grade_all(const BatchOptions& options) {
  if (!fs::is_directory(options.dir)) {
    throw UsageError("grade-all " + quote_name(options.dir.string()) +
                     ": give a folder holding one entry per student (a folder, a .zip or a .tar.gz each)");
  }
  if (options.csv.empty()) {
    throw UsageError("grade-all needs --csv FILE, the gradebook to write (example: --csv grades.csv)");
  }
  if (options.parallel < 1 || options.parallel > 16) {
    throw UsageError("--parallel must be between 1 and 16 (example: --parallel 2)");
  }
  fs::path out_dir = options.out_dir;
  if (out_dir.empty()) {
    out_dir = fs::absolute(options.csv).parent_path() / (fs::path(options.csv).stem().string() + "-feedback");
  }
  std::vector<Entry> entries = list_students(options.dir);
  GradeSession session(options.grade, options.parallel);  // checks the options before anything is written
  std::vector<std::string> labs;
  for (const auto& rubric : session.rubrics()) {
    labs.push_back(rubric.lab);
  }
  fs::create_directories(out_dir);

  // Entries that share an id (alice/ and alice.zip) are graded under the entry's whole name.
  std::map<std::string, int> uses;
  for (const auto& entry : entries) {
    uses[entry.student]++;
  }
  std::vector<std::optional<StudentRecord>> records(entries.size());
  std::vector<std::size_t> to_grade;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (uses[entries[i].student] > 1) {
      entries[i].student = entries[i].path.filename().string();
    }
    fs::path file = out_dir / (safe_file_name(entries[i].student) + ".record.json");
    if (!options.force && fs::exists(file)) {
      records[i] = from_json(read_file(file));
    }
    if (!records[i]) {
      to_grade.push_back(i);
    }
  }
  std::cerr << "ipclab: " << entries.size() << " submissions in " << printable(quote_name(options.dir.string()))
            << "; " << to_grade.size() << " to grade"
            << (to_grade.size() < entries.size() ? " (the others were graded before: --force grades them again)" : "")
            << ", " << options.parallel << " at a time\n";

  std::mutex lock;
  auto write_gradebook = [&] {  // under `lock`
    std::vector<StudentRecord> done;
    for (const auto& record : records) {
      if (record) {
        done.push_back(*record);
      }
    }
    write_file_atomically(options.csv, gradebook_csv(done, labs));
    write_file_atomically(out_dir / "summary.md", batch_summary(done, labs));
  };
  {
    std::lock_guard guard(lock);
    write_gradebook();
  }
  if (!to_grade.empty()) {
    session.prepare();  // the course's own build, once, before the workers start
  }
  Progress progress(entries.size(), entries.size() - to_grade.size(), options.parallel);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> interrupted{false};
  std::string fatal;
  auto worker = [&](int id) {
    for (std::size_t k = next++; k < to_grade.size() && !interrupted; k = next++) {
      const Entry& entry = entries[to_grade[k]];
      StudentRecord record;
      std::string feedback;
      try {
        Submission submission(entry.path, options.grade.intake);
        GradeResult result = session.grade(submission, entry.student, id);
        record = record_of(entry.student, result);
        feedback = markdown_feedback(result);
      } catch (const UsageError& error) {
        // The submission itself cannot be read (a broken archive, over a limit):
        // the student still gets a row and a feedback file saying why.
        record.student = entry.student;
        record.error = error.what();
        for (const auto& rubric : session.rubrics()) {
          record.max_score += rubric.max_points(options.grade.public_only);
        }
        feedback = "# ipclab feedback\n\nYour submission could not be graded:\n\n" + printable(error.what()) + "\n";
      } catch (const GradingError& error) {
        std::lock_guard guard(lock);
        if (std::string(error.what()).starts_with("interrupted")) {
          interrupted = true;
        } else if (fatal.empty()) {
          fatal = error.what();  // the grader itself cannot work: stop the batch, keep what is done
          interrupted = true;
        }
        return;
      }
      std::string base = safe_file_name(entry.student);
      write_file_atomically(out_dir / (base + ".md"), feedback);
      write_file_atomically(out_dir / (base + ".record.json"), to_json(record).dump(2) + "\n");
      std::lock_guard guard(lock);
      records[to_grade[k]] = record;
      write_gradebook();
      progress.finished(record);
    }
  };
  std::vector<std::thread> workers;
  for (int id = 0; id < options.parallel; ++id) {
    workers.emplace_back(worker, id);
  }
  for (auto& thread : workers) {
    thread.join();
  }
  progress.close();
  std::vector<StudentRecord> done;
  for (const auto& record : records) {
    if (record) {
      done.push_back(*record);
    }
  }
  std::cout << batch_summary(done, labs);
  std::cout << "\nwrote " << options.csv.string() << " (" << done.size() << " of " << entries.size()
            << " students), feedback and summary.md in " << out_dir.string() << "\n";
  if (!fatal.empty()) {
    throw GradingError(fatal + "\n(the gradebook holds the " + std::to_string(done.size()) + " students graded before)");
  }
  return interrupted ? 130 : 0;
}

}  // namespace grader
