// Finding the student's files: by layout, by name, never through a link; and
// archives unpacked as hostile input (archive.hpp). Each test has a folder of
// its own, and TMPDIR points into it, so that the unpack folders it makes are
// the only ones it sees.
#include "submission.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <set>

#include <gtest/gtest.h>

namespace grader {
namespace {

void write(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

void touch(const fs::path& path) { write(path, "// x\n"); }

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Whether `text` holds `part`; on failure gtest prints both.
::testing::AssertionResult Holds(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "the message\n  " << text << "\ndoes not hold\n  " << part;
}

// The message of the UsageError `action` throws; fails the test when it throws none.
std::string usage_error(const std::function<void()>& action) {
  try {
    action();
  } catch (const UsageError& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a UsageError";
  return "";
}

// Every path under `root` (links not followed), relative to it.
std::set<std::string> tree(const fs::path& root) {
  std::set<std::string> paths;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    paths.insert(fs::relative(entry.path(), root).string());
  }
  return paths;
}

// One entry of an archive a test writes.
struct Entry {
  Entry(std::string name_, std::string content_ = "", unsigned type_ = AE_IFREG,
        std::string link_ = "", bool hard_link_ = false)
      : name(std::move(name_)),
        content(std::move(content_)),
        type(type_),
        link(std::move(link_)),
        hard_link(hard_link_) {}
  std::string name;
  std::string content;
  unsigned type;     // AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR, AE_IFIFO
  std::string link;  // the target of a symbolic or hard link
  bool hard_link;
  std::size_t xattr = 0;  // bytes of an extended attribute: a pax header that large
};

enum class Format { zip, tar_gz, tar_xz };

// Writes `entries` as an archive with libarchive's writer: hostile archives
// are made the way a student's tool would make them, bit for bit.
void write_archive(const fs::path& path, Format format, const std::vector<Entry>& entries) {
  struct archive* writer = archive_write_new();
  if (format == Format::zip) {
    archive_write_set_format_zip(writer);
  } else {
    archive_write_set_format_pax_restricted(writer);
    format == Format::tar_gz ? archive_write_add_filter_gzip(writer)
                             : archive_write_add_filter_xz(writer);
  }
  ASSERT_EQ(archive_write_open_filename(writer, path.c_str()), ARCHIVE_OK)
      << archive_error_string(writer);
  for (const auto& item : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, item.name.c_str());
    archive_entry_set_filetype(entry, item.type);
    archive_entry_set_perm(entry, item.type == AE_IFDIR ? 0755 : 0644);
    if (item.hard_link) {
      archive_entry_set_hardlink(entry, item.link.c_str());
    } else if (item.type == AE_IFLNK) {
      archive_entry_set_symlink(entry, item.link.c_str());
    } else if (item.type == AE_IFCHR) {
      archive_entry_set_rdev(entry, makedev(1, 3));  // /dev/null
    } else if (item.type == AE_IFREG) {
      archive_entry_set_size(entry, static_cast<la_int64_t>(item.content.size()));
    }
    if (item.xattr > 0) {
      std::string value(item.xattr, 'a');
      archive_entry_xattr_add_entry(entry, "user.padding", value.data(), value.size());
    }
    // ARCHIVE_WARN: a name that is not UTF-8 is written as bytes, as a student's tool would.
    ASSERT_GE(archive_write_header(writer, entry), ARCHIVE_WARN) << archive_error_string(writer);
    if (item.type == AE_IFREG && !item.hard_link) {
      ASSERT_EQ(archive_write_data(writer, item.content.data(), item.content.size()),
                static_cast<la_ssize_t>(item.content.size()));
    }
    archive_entry_free(entry);
  }
  ASSERT_EQ(archive_write_close(writer), ARCHIVE_OK);
  archive_write_free(writer);
}

class SubmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* old = std::getenv("TMPDIR")) {
      old_tmpdir_ = old;
    }
    fs::create_directories(unpack_parent());
    ::setenv("TMPDIR", unpack_parent().c_str(), 1);
  }
  void TearDown() override {
    if (old_tmpdir_) {
      ::setenv("TMPDIR", old_tmpdir_->c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
  }

  fs::path sub() const { return dir_.path() / "sub"; }
  fs::path unpack_parent() const { return dir_.path() / "tmp"; }
  // A stand-in for the course's solutions/: what a link in a submission points to.
  fs::path solutions() const { return dir_.path() / "solutions"; }
  void make_solutions() const {
    write(solutions() / "labs/01-fifo/src/fifo_io.cpp", "SOLUTION");
    write(solutions() / "labs/01-fifo/src/fifo_server.cpp", "SOLUTION");
  }
  // Nothing of the solutions was taken, whatever was found.
  static void expect_no_solution(const LabFiles& files) {
    for (const auto& [name, content] : files.content) {
      EXPECT_NE(content, "SOLUTION") << name << " was read through a link";
    }
  }
  // Grades an archive, checks what `check` wants, then that nothing is left
  // anywhere: no unpack folder, nothing written outside it.
  void with_archive(const fs::path& archive, const IntakeLimits& limits,
                    const std::function<void(const Submission&)>& check) const {
    std::set<std::string> before = tree(dir_.path());
    {
      Submission submission(archive, limits);
      check(submission);
    }
    EXPECT_EQ(tree(dir_.path()), before);
  }
  // The message refusing an archive, after checking that nothing was written.
  std::string refused(const fs::path& archive, const IntakeLimits& limits = {}) const {
    std::set<std::string> before = tree(dir_.path());
    std::string message = usage_error([&] { Submission submission(archive, limits); });
    EXPECT_EQ(tree(dir_.path()), before);
    EXPECT_TRUE(fs::is_empty(unpack_parent()));
    return message;
  }

  TempDir dir_{fs::temp_directory_path(), "ipclab-grader-test."};
  Lab lab_{"01-fifo", "01", {"fifo_io.cpp", "fifo_server.cpp"}};
  std::optional<std::string> old_tmpdir_;
};

// --- Folders -------------------------------------------------------------------

TEST_F(SubmissionTest, LayoutWinsOverCopiesElsewhere) {
  touch(sub() / "labs/01-fifo/src/fifo_io.cpp");
  touch(sub() / "labs/01-fifo/src/fifo_server.cpp");
  write(sub() / "backup/fifo_io.cpp", "BACKUP");
  Submission submission(sub());
  LabFiles files = submission.locate(lab_);
  EXPECT_TRUE(files.problems.empty());
  EXPECT_EQ(files.found["fifo_io.cpp"], sub() / "labs/01-fifo/src/fifo_io.cpp");
  EXPECT_EQ(files.content["fifo_io.cpp"], "// x\n");
}

TEST_F(SubmissionTest, FilesAnywhereAreFoundAndTwoCandidatesAreNamed) {
  touch(sub() / "a/fifo_io.cpp");
  touch(sub() / "b/fifo_io.cpp");
  write(sub() / "c/fifo_server.cpp", "SERVER");
  LabFiles files = Submission(sub()).locate(lab_);
  ASSERT_EQ(files.problems.size(), 1u);
  EXPECT_EQ(files.problems[0],
            "fifo_io.cpp is in the submission twice: \"a/fifo_io.cpp\" and \"b/fifo_io.cpp\"; keep "
            "one (at "
            "labs/01-fifo/src/fifo_io.cpp)");
  EXPECT_EQ(files.content.at("fifo_server.cpp"), "SERVER");
}

TEST_F(SubmissionTest, AMissingFileIsNamedAndALinkedFileIsIgnored) {
  touch(sub() / "fifo_io.cpp");
  fs::create_symlink("/etc/hostname", sub() / "fifo_server.cpp");
  LabFiles files = Submission(sub()).locate(lab_);
  ASSERT_EQ(files.problems.size(), 1u);
  EXPECT_EQ(files.problems[0],
            "fifo_server.cpp is missing: lab 01-fifo needs labs/01-fifo/src/fifo_server.cpp");
}

TEST_F(SubmissionTest, ALinkedLabsFolderIsNeverFollowed) {
  make_solutions();
  fs::create_directories(sub());
  fs::create_symlink("../solutions/labs", sub() / "labs");  // relative, as an archive would hold it
  write(sub() / "mine/fifo_server.cpp", "MINE");
  LabFiles files = Submission(sub()).locate(lab_);
  expect_no_solution(files);
  EXPECT_EQ(files.content.at("fifo_server.cpp"), "MINE");
  ASSERT_EQ(files.problems.size(), 1u);
  EXPECT_EQ(files.problems[0],
            "fifo_io.cpp is missing: lab 01-fifo needs labs/01-fifo/src/fifo_io.cpp (\"labs\" is a "
            "symbolic "
            "link, and the grader never follows links: put the file itself there)");
}

TEST_F(SubmissionTest, ALinkedTopicFolderIsNeverFollowed) {
  make_solutions();
  fs::create_directories(sub() / "labs");
  // Through /proc/self/root: a link that reaches solutions/ from anywhere.
  fs::create_symlink("/proc/self/root" + (solutions() / "labs/01-fifo").string(),
                     sub() / "labs/01-fifo");
  write(sub() / "old/fifo_io.cpp", "MINE");
  LabFiles files = Submission(sub()).locate(lab_);
  expect_no_solution(files);
  EXPECT_EQ(files.content.at("fifo_io.cpp"), "MINE");  // found elsewhere, by name
  EXPECT_EQ(files.found.at("fifo_io.cpp"), sub() / "old/fifo_io.cpp");
  ASSERT_EQ(files.problems.size(), 1u);
  EXPECT_TRUE(Holds(files.problems[0], "fifo_server.cpp is missing"));
  EXPECT_TRUE(Holds(files.problems[0], "(\"labs/01-fifo\" is a symbolic link"));
}

TEST_F(SubmissionTest, ALinkedSrcFolderIsNeverFollowed) {
  make_solutions();
  fs::create_directories(sub() / "01-fifo");
  fs::create_symlink(solutions() / "labs/01-fifo/src", sub() / "01-fifo/src");
  LabFiles files = Submission(sub()).locate(lab_);
  EXPECT_TRUE(files.found.empty());
  ASSERT_EQ(files.problems.size(), 2u);
  EXPECT_TRUE(Holds(files.problems[0], "fifo_io.cpp is missing"));
  EXPECT_TRUE(Holds(files.problems[0], "(\"01-fifo/src\" is a symbolic link"));
}

TEST_F(SubmissionTest, ALinkedFileAtTheLayoutIsNeverFollowed) {
  make_solutions();
  touch(sub() / "labs/01-fifo/src/fifo_server.cpp");
  fs::create_symlink(solutions() / "labs/01-fifo/src/fifo_io.cpp",
                     sub() / "labs/01-fifo/src/fifo_io.cpp");
  Submission submission(sub());
  LabFiles files = submission.locate(lab_);
  expect_no_solution(files);
  ASSERT_EQ(files.problems.size(), 1u);
  EXPECT_TRUE(Holds(files.problems[0], "(\"labs/01-fifo/src/fifo_io.cpp\" is a symbolic link"));
  EXPECT_TRUE(Holds(usage_error([&] { submission.read("labs/01-fifo/src/fifo_io.cpp"); }),
                    "\"labs/01-fifo/src/fifo_io.cpp\" is a symbolic link"));
  EXPECT_EQ(submission.read(sub() / "labs/01-fifo/src/fifo_server.cpp"), "// x\n");
}

TEST_F(SubmissionTest, ReadRefusesPathsOutsideTheSubmission) {
  make_solutions();
  touch(sub() / "labs/01-fifo/src/fifo_io.cpp");
  Submission submission(sub());
  EXPECT_TRUE(
      Holds(usage_error([&] { submission.read("../solutions/labs/01-fifo/src/fifo_io.cpp"); }),
            "is not in the submission"));
  EXPECT_TRUE(
      Holds(usage_error([&] { submission.read(solutions() / "labs/01-fifo/src/fifo_io.cpp"); }),
            "is not in the submission"));
}

TEST_F(SubmissionTest, TheRootMayBeGivenThroughALink) {
  touch(sub() / "labs/01-fifo/src/fifo_io.cpp");
  touch(sub() / "labs/01-fifo/src/fifo_server.cpp");
  fs::create_symlink(sub(), dir_.path() / "alias");
  Submission submission(dir_.path() / "alias");
  EXPECT_EQ(submission.label(), "\"" + (dir_.path() / "alias").string() + "\"");
  EXPECT_EQ(submission.root(), fs::canonical(sub()));
  EXPECT_TRUE(submission.locate(lab_).problems.empty());
}

TEST_F(SubmissionTest, AFifoOrAFolderAtTheLayoutIsNotTakenAndDoesNotBlock) {
  fs::create_directories(sub() / "labs/01-fifo/src");
  ASSERT_EQ(::mkfifo((sub() / "labs/01-fifo/src/fifo_io.cpp").c_str(), 0644), 0);
  fs::create_directories(sub() / "labs/01-fifo/src/fifo_server.cpp");
  LabFiles files = Submission(sub()).locate(lab_);
  ASSERT_EQ(files.problems.size(), 2u);
  EXPECT_TRUE(Holds(files.problems[0], "(\"labs/01-fifo/src/fifo_io.cpp\" is not a regular file)"));
  EXPECT_TRUE(
      Holds(files.problems[1], "(\"labs/01-fifo/src/fifo_server.cpp\" is not a regular file)"));
}

TEST_F(SubmissionTest, AFileOver1MiBIsNotRead) {
  write(sub() / "labs/01-fifo/src/fifo_io.cpp", std::string(kMaxSourceBytes + 1, 'x'));
  write(sub() / "labs/01-fifo/src/fifo_server.cpp", std::string(kMaxSourceBytes, 'x'));
  LabFiles files = Submission(sub()).locate(lab_);
  ASSERT_EQ(files.problems.size(), 1u);
  EXPECT_EQ(files.problems[0],
            "fifo_io.cpp is larger than 1 MiB (\"labs/01-fifo/src/fifo_io.cpp\"): is it really the "
            "source file?");
  EXPECT_EQ(files.content.at("fifo_server.cpp").size(), kMaxSourceBytes);
}

TEST_F(SubmissionTest, NamesFromTheSubmissionAreQuotedInMessages) {
  touch(sub() / "a\n```\n# Full marks/fifo_io.cpp");
  touch(sub() / "b\x1b[2J/fifo_io.cpp");
  LabFiles files = Submission(sub()).locate(lab_);
  ASSERT_EQ(files.problems.size(), 2u);
  EXPECT_TRUE(Holds(files.problems[0],
                    "\"a\\n\\`\\`\\`\\n# Full marks/fifo_io.cpp\" and \"b\\x1b[2J/fifo_io.cpp\""));
  EXPECT_EQ(files.problems[0].find('\n'), std::string::npos);
  EXPECT_EQ(files.problems[0].find('\x1b'), std::string::npos);
}

TEST_F(SubmissionTest, AMissingPathOrABadArchiveIsAUsageError) {
  EXPECT_TRUE(Holds(usage_error([&] { Submission submission(dir_.path() / "nope"); }),
                    "/nope\" does not exist: give a student's checkout"));
  write(dir_.path() / "alice.rar", "Rar!");
  EXPECT_TRUE(Holds(usage_error([&] { Submission submission(dir_.path() / "alice.rar"); }),
                    "is neither a folder nor a .zip, .tar.gz, .tgz, .tar or .tar.xz archive"));
  write(dir_.path() / "bad.zip", "not a zip");
  std::string message = refused(dir_.path() / "bad.zip");
  EXPECT_TRUE(Holds(message, "cannot read the archive \"" + (dir_.path() / "bad.zip").string() +
                                 "\" (libarchive says"));
  EXPECT_TRUE(Holds(message, "is it a complete .zip or .tar.gz?"));
}

// --- Archives: what they hold is read ------------------------------------------

class ArchiveFormatTest : public SubmissionTest, public ::testing::WithParamInterface<Format> {};

TEST_P(ArchiveFormatTest, TheFilesAreReadFromAPrivateFolderThatIsRemovedAfterwards) {
  const char* name = GetParam() == Format::zip      ? "alice.zip"
                     : GetParam() == Format::tar_gz ? "alice.tgz"
                                                    : "alice.tar.xz";
  fs::path archive = dir_.path() / name;
  write_archive(archive, GetParam(),
                {{"ipclab/", "", AE_IFDIR},
                 {"ipclab/labs/01-fifo/src/fifo_io.cpp", "IO"},
                 {"ipclab/labs/01-fifo/src/fifo_server.cpp", "SERVER"},
                 {"ipclab/labs/01-fifo/src/fifo_io.hpp", "not taken"}});
  with_archive(archive, {}, [&](const Submission& submission) {
    EXPECT_EQ(submission.root().parent_path(), unpack_parent());  // TMPDIR: outside the course tree
    EXPECT_EQ(fs::status(submission.root()).permissions(), fs::perms::owner_all);
    EXPECT_EQ(submission.label(), "\"" + archive.string() + "\"");
    EXPECT_TRUE(submission.notes().empty());
    LabFiles files = submission.locate(lab_);
    EXPECT_TRUE(files.problems.empty());
    EXPECT_EQ(files.content.at("fifo_io.cpp"), "IO");
    EXPECT_EQ(files.content.at("fifo_server.cpp"), "SERVER");
  });
  EXPECT_TRUE(fs::is_empty(unpack_parent()));
}

INSTANTIATE_TEST_SUITE_P(Formats, ArchiveFormatTest,
                         ::testing::Values(Format::zip, Format::tar_gz, Format::tar_xz),
                         [](const auto& param_info) {
                           Format format = param_info.param;
                           return std::string(format == Format::zip      ? "zip"
                                              : format == Format::tar_gz ? "tar_gz"
                                                                         : "tar_xz");
                         });

TEST_F(SubmissionTest, NamesThatAreNotAsciiAreKept) {
  for (Format format : {Format::zip, Format::tar_gz}) {
    fs::path archive = dir_.path() / (format == Format::zip ? "élève.zip" : "élève.tar.gz");
    write_archive(archive, format,
                  {{"Übung 1/labs/01-fifo/src/fifo_io.cpp", "IO"},
                   {"Übung 1/labs/01-fifo/src/fifo_server.cpp", "S"}});
    with_archive(archive, {}, [&](const Submission& submission) {
      LabFiles files = submission.locate(lab_);
      EXPECT_TRUE(files.problems.empty()) << ::testing::PrintToString(files.problems);
      EXPECT_EQ(files.found["fifo_io.cpp"],
                submission.root() / "Übung 1/labs/01-fifo/src/fifo_io.cpp");
    });
  }
}

// --- Archives: links, devices, duplicates ----------------------------------------

TEST_F(SubmissionTest, LinksAndDevicesInAnArchiveAreDroppedAndListed) {
  make_solutions();
  fs::path archive = dir_.path() / "alice.tar.gz";
  write_archive(archive, Format::tar_gz,
                {{"labs/01-fifo/src/fifo_io.cpp", "", AE_IFLNK,
                  (solutions() / "labs/01-fifo/src/fifo_io.cpp").string()},
                 {"labs/01-fifo/src/fifo_server.cpp", "", AE_IFREG,
                  (solutions() / "labs/01-fifo/src/fifo_server.cpp").string(), true},
                 {"null", "", AE_IFCHR},
                 {"pipe", "", AE_IFIFO},
                 {"notes.txt", "kept"}});
  with_archive(archive, {}, [&](const Submission& submission) {
    ASSERT_EQ(submission.notes().size(), 1u);
    EXPECT_EQ(submission.notes()[0],
              "dropped 4 entries that are links or devices (the grader takes regular files only): "
              "\"labs/01-fifo/src/fifo_io.cpp\" (a symbolic link), "
              "\"labs/01-fifo/src/fifo_server.cpp\" (a hard "
              "link), \"null\" (a device), \"pipe\" (a FIFO)");
    // Only the one regular file: no folder is made for what is dropped.
    EXPECT_EQ(tree(submission.root()), std::set<std::string>{"notes.txt"});
    LabFiles files = submission.locate(lab_);
    EXPECT_TRUE(files.found.empty());
    ASSERT_EQ(files.problems.size(), 2u);
    EXPECT_EQ(
        files.problems[0],
        "fifo_io.cpp is missing: lab 01-fifo needs labs/01-fifo/src/fifo_io.cpp (the archive's "
        "\"labs/01-fifo/src/fifo_io.cpp\" (a symbolic link) was not unpacked)");
    EXPECT_TRUE(Holds(files.problems[1], "(a hard link) was not unpacked"));
  });
}

TEST_F(SubmissionTest, ALinkedFolderInAZipIsDropped) {
  make_solutions();
  fs::path archive = dir_.path() / "alice.zip";
  write_archive(archive, Format::zip,
                {{"labs", "", AE_IFLNK, "/proc/self/root" + (solutions() / "labs").string()},
                 {"backup/fifo_server.cpp", "MINE"}});
  with_archive(archive, {}, [&](const Submission& submission) {
    ASSERT_EQ(submission.notes().size(), 1u);
    EXPECT_TRUE(Holds(submission.notes()[0], "dropped 1 entry that is a link or device"));
    EXPECT_TRUE(Holds(submission.notes()[0], "\"labs\" (a symbolic link)"));
    LabFiles files = submission.locate(lab_);
    expect_no_solution(files);
    EXPECT_EQ(files.content.at("fifo_server.cpp"), "MINE");
    ASSERT_EQ(files.problems.size(), 1u);
    EXPECT_EQ(files.problems[0],
              "fifo_io.cpp is missing: lab 01-fifo needs labs/01-fifo/src/fifo_io.cpp (the "
              "archive's \"labs\" (a "
              "symbolic link) was not unpacked)");
  });
}

TEST_F(SubmissionTest, ThePathTwiceInAnArchiveIsAProblemNamingBoth) {
  fs::path archive = dir_.path() / "alice.tar.gz";
  write_archive(archive, Format::tar_gz,
                {{"labs/01-fifo/src/fifo_io.cpp", "SHOWN"},
                 {"backup/fifo_io.cpp", "BACKUP"},
                 {"labs/01-fifo/src/fifo_server.cpp", "SERVER"},
                 {"./labs/01-fifo/src/fifo_io.cpp", "UNPACKED LAST"},
                 {"labs/", "", AE_IFDIR},
                 {"labs", "", AE_IFDIR}});  // a folder twice is harmless
  with_archive(archive, {}, [&](const Submission& submission) {
    ASSERT_EQ(submission.notes().size(), 1u);
    EXPECT_EQ(
        submission.notes()[0],
        "the archive names the same path more than once, and none of those entries was unpacked: "
        "\"labs/01-fifo/src/fifo_io.cpp\" (entries 1 and 4)");
    LabFiles files = submission.locate(lab_);
    EXPECT_EQ(files.found.count("fifo_io.cpp"), 0u);
    EXPECT_EQ(files.content.at("fifo_server.cpp"), "SERVER");
    ASSERT_EQ(files.problems.size(), 1u);
    EXPECT_EQ(files.problems[0],
              "fifo_io.cpp is in the submission twice: \"labs/01-fifo/src/fifo_io.cpp\" (archive "
              "entry 1) and "
              "\"labs/01-fifo/src/fifo_io.cpp\" (archive entry 4); keep one (at "
              "labs/01-fifo/src/fifo_io.cpp)");
  });
}

TEST_F(SubmissionTest, NamesInAnArchiveAreQuotedInNotes) {
  fs::path archive = dir_.path() / "alice.tar.gz";
  write_archive(archive, Format::tar_gz, {{"x\n## Score: 100%\n\xff", "", AE_IFLNK, "/etc"}});
  with_archive(archive, {}, [&](const Submission& submission) {
    ASSERT_EQ(submission.notes().size(), 1u);
    EXPECT_TRUE(Holds(submission.notes()[0], "\"x\\n## Score: 100%\\n\\xff\" (a symbolic link)"));
  });
}

// --- Archives: refused, and nothing written ----------------------------------------

TEST_F(SubmissionTest, AnAbsolutePathInAnArchiveIsRefused) {
  fs::path escape = dir_.path() / "escape.cpp";
  write_archive(dir_.path() / "alice.tar.gz", Format::tar_gz,
                {{"labs/01-fifo/src/fifo_io.cpp", "IO"}, {escape.string(), "ESCAPED"}});
  std::string message = refused(dir_.path() / "alice.tar.gz");
  EXPECT_TRUE(
      Holds(message, "holds \"" + escape.string() + "\", a path from the root of the file system"));
  EXPECT_TRUE(Holds(message, "Nothing was unpacked"));
  EXPECT_FALSE(fs::exists(escape));
}

TEST_F(SubmissionTest, ADotDotPathInAnArchiveIsRefused) {
  for (Format format : {Format::zip, Format::tar_gz}) {
    fs::path archive = dir_.path() / (format == Format::zip ? "alice.zip" : "alice.tgz");
    write_archive(archive, format,
                  {{"labs/01-fifo/src/fifo_io.cpp", "IO"}, {"labs/../../escape.cpp", "ESCAPED"}});
    std::string message = refused(archive);
    EXPECT_TRUE(
        Holds(message, "holds \"labs/../../escape.cpp\", a path that climbs out of its folder"));
    EXPECT_FALSE(fs::exists(dir_.path() / "escape.cpp"));
    EXPECT_FALSE(fs::exists(unpack_parent() / "escape.cpp"));
  }
}

TEST_F(SubmissionTest, AFileThatIsAlsoAFolderIsRefused) {
  write_archive(dir_.path() / "alice.zip", Format::zip,
                {{"labs", "a file"}, {"labs/01-fifo/src/fifo_io.cpp", "IO"}});
  EXPECT_TRUE(Holds(
      refused(dir_.path() / "alice.zip"),
      "holds \"labs\" as a file and also \"labs/01-fifo/src/fifo_io.cpp\", which needs it to be a "
      "folder"));
}

TEST_F(SubmissionTest, TooManyEntriesAreRefused) {
  std::vector<Entry> entries;
  for (int i = 0; i < 11; ++i) {
    entries.push_back({"file" + std::to_string(i) + ".txt", "x"});
  }
  write_archive(dir_.path() / "alice.zip", Format::zip, entries);
  IntakeLimits ten{IntakeLimits{}.max_bytes, 10};
  std::string message = refused(dir_.path() / "alice.zip", ten);
  EXPECT_TRUE(Holds(message, "alice.zip\" holds more than 10 entries"));
  EXPECT_TRUE(Holds(message, "raise the limit with --max-archive-entries"));
  entries.pop_back();
  write_archive(dir_.path() / "ten.zip", Format::zip, entries);
  with_archive(dir_.path() / "ten.zip", ten, [](const Submission&) {});  // at the limit is fine
}

TEST_F(SubmissionTest, TooManyDeclaredBytesAreRefusedBeforeAnythingIsWritten) {
  // 3 MiB of zeros: a few KiB compressed, and the header says 3 MiB.
  for (Format format : {Format::zip, Format::tar_gz}) {
    fs::path archive = dir_.path() / (format == Format::zip ? "bomb.zip" : "bomb.tar.gz");
    write_archive(archive, format, {{"small.cpp", "x"}, {"zeros.cpp", std::string(3 << 20, '\0')}});
    ASSERT_LT(fs::file_size(archive), 64u << 10);
    std::string message = refused(archive, {1 << 20, 100});
    EXPECT_TRUE(
        Holds(message, "unpacks to more than 1 MiB (its entries declare at least 3.0 MiB)"));
    EXPECT_TRUE(Holds(message, "raise the limit with --max-archive-mb"));
  }
}

TEST_F(SubmissionTest, HeadersFarLongerThanTheEntriesNeedAreRefused) {
  // Each entry carries a pax header of some 700 KiB (an extended attribute):
  // the declared sizes stay tiny, what is decompressed to read them does not.
  std::vector<Entry> entries;
  for (int i = 0; i < 10; ++i) {
    entries.push_back({"file" + std::to_string(i) + ".cpp", "x"});
    entries.back().xattr = 300 << 10;
  }
  fs::path archive = dir_.path() / "headers.tar.gz";
  write_archive(archive, Format::tar_gz, entries);
  ASSERT_LT(fs::file_size(archive), 256u << 10);
  std::string message = refused(archive, {1 << 20, 20});
  EXPECT_TRUE(Holds(message, "headers.tar.gz\" is "));
  EXPECT_TRUE(Holds(
      message, "long once decompressed, far more than its entries and their headers account for"));
  EXPECT_TRUE(Holds(message, "raise the limit with --max-archive-mb (now 1 MiB)"));
  with_archive(archive, {},
               [](const Submission& submission) { EXPECT_TRUE(submission.notes().empty()); });
}

// Sets the "uncompressed size" of every entry of a zip (local headers, central
// directory, data descriptors) to `size`; the data and its CRC stay as they are.
void lie_about_sizes(const fs::path& zip, std::uint32_t size) {
  std::string bytes = read_bytes(zip);
  auto patch = [&](std::string_view signature, std::size_t offset) {
    for (std::size_t at = bytes.find(signature); at != std::string::npos;
         at = bytes.find(signature, at + 1)) {
      for (std::size_t k = 0; k < 4; ++k) {
        bytes[at + offset + k] = static_cast<char>((size >> (8 * k)) & 0xFF);
      }
    }
  };
  patch(std::string_view("PK\x03\x04", 4), 22);  // local file header
  patch(std::string_view("PK\x01\x02", 4), 24);  // central directory
  patch(std::string_view("PK\x07\x08", 4), 12);  // data descriptor
  std::ofstream(zip, std::ios::binary | std::ios::trunc) << bytes;
}

TEST_F(SubmissionTest, BytesBeyondWhatTheHeadersDeclareStopAtTheLimit) {
  fs::path archive = dir_.path() / "liar.zip";
  write_archive(archive, Format::zip, {{"zeros.cpp", std::string(3 << 20, '\0')}});
  lie_about_sizes(archive, 10);
  std::string message = refused(archive, {1 << 20, 100});
  EXPECT_TRUE(Holds(message,
                    "liar.zip\" unpacks to more than 1 MiB although its entries declare 10 bytes"));
  EXPECT_TRUE(Holds(message, "Nothing was kept"));
}

TEST_F(SubmissionTest, ATruncatedArchiveIsRefusedAndLeavesNothing) {
  std::string noise;
  for (int i = 0; i < 200000; ++i) {
    noise += std::to_string(i * 7919 % 100003);  // compresses badly: the archive stays long
  }
  fs::path archive = dir_.path() / "cut.tar.gz";
  write_archive(archive, Format::tar_gz,
                {{"labs/01-fifo/src/fifo_io.cpp", noise}, {"later.cpp", "x"}});
  fs::resize_file(archive, fs::file_size(archive) / 2);
  std::string message = refused(archive);
  EXPECT_TRUE(Holds(message, "cannot read the archive"));
  EXPECT_TRUE(Holds(message, "Nothing was unpacked"));
}

TEST(IntakeLimits, FlagsAreCheckedAndConverted) {
  IntakeLimits limits = intake_limits(200, 10000);
  EXPECT_EQ(limits.max_bytes, 200u << 20);
  EXPECT_EQ(limits.max_entries, 10000u);
  EXPECT_EQ(usage_error([] { intake_limits(0, 10); }),
            "--max-archive-mb must be between 1 and 1048576 (example: --max-archive-mb 200)");
  EXPECT_TRUE(
      Holds(usage_error([] { intake_limits(10, 0); }), "--max-archive-entries must be between 1"));
}

}  // namespace
}  // namespace grader
