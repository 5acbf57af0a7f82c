// Lab 01 hidden tests: creating and opening FIFOs (B1.1 – B1.9).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "hidden_support.hpp"
#include "ipclab/fifo.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::fifo {
namespace {

using hidden::finishes_without_blocking_in;
using hidden::open_calls;
using testing::ChildProcess;
using testing::fails_with;
using testing::is_append;
using testing::is_nonblocking;
using testing::UmaskFor;

/// "O_RDONLY, O_NONBLOCK off, close-on-exec" or what was wrong, for one descriptor.
::testing::AssertionResult has_flags(int fd, int access_mode, bool nonblocking) {
  int status = ::fcntl(fd, F_GETFL);
  int descriptor = ::fcntl(fd, F_GETFD);
  if (status == -1 || descriptor == -1) {
    return ::testing::AssertionFailure() << "fcntl on the returned descriptor failed with "
                                         << errno_name(errno) << ": it is not an open descriptor";
  }
  auto mode_name = [](int mode) {
    return mode == O_RDONLY ? "O_RDONLY" : mode == O_WRONLY ? "O_WRONLY" : "O_RDWR";
  };
  bool ok = true;
  std::string problems;
  if ((status & O_ACCMODE) != access_mode) {
    ok = false;
    problems += std::string(" access mode ") + mode_name(status & O_ACCMODE) + " instead of " +
                mode_name(access_mode) + ";";
  }
  if (((status & O_NONBLOCK) != 0) != nonblocking) {
    ok = false;
    problems += nonblocking ? " O_NONBLOCK is missing;" : " O_NONBLOCK is set but must not be;";
  }
  if ((descriptor & FD_CLOEXEC) == 0) {
    ok = false;
    problems += " FD_CLOEXEC is missing (open with O_CLOEXEC);";
  }
  if (ok) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "the descriptor is wrong:" << problems;
}

/// Each test gets a FIFO in the scratch folder.
class FifoOpenHidden : public testing::IpcTest {
 protected:
  void SetUp() override {
    fifo_ = scratch_path("open.fifo");
    ASSERT_EQ(::mkfifo(fifo_.c_str(), 0600), 0) << errno_name(errno);
  }
  /// Both ends at once (Linux allows O_RDWR on a FIFO): with it held, no open of
  /// the FIFO has to wait for the other end.
  UniqueFd hold_both_ends() { return UniqueFd(::open(fifo_.c_str(), O_RDWR | O_CLOEXEC)); }

  std::filesystem::path fifo_;
};

TEST_F(FifoOpenHidden, B1_1_MakeFifoLeavesTheUmaskToTheKernel) {
  UmaskFor mask(022);
  auto fifo = scratch_path("masked.fifo");
  make_fifo(fifo, 0666);
  struct stat info {};
  ASSERT_EQ(::stat(fifo.c_str(), &info), 0) << "B1.1: make_fifo did not create " << fifo;
  EXPECT_TRUE(S_ISFIFO(info.st_mode)) << "B1.1: " << fifo << " is not a FIFO";
  EXPECT_EQ(info.st_mode & 0777, 0644u)
      << "B1.1: with umask 022, make_fifo(path, 0666) must give 0644 (mode less the umask); got 0"
      << std::oct << (info.st_mode & 0777) << ". Pass the mode to mkfifo and leave the umask alone.";
}

TEST_F(FifoOpenHidden, B1_2_MakeFifoOverAFileOrADirectoryIsEexistAndChangesNothing) {
  auto file = scratch_path("precious.txt");
  std::ofstream(file) << "keep me";
  auto directory = scratch_path("a-directory");
  std::filesystem::create_directory(directory);
  EXPECT_TRUE(fails_with("mkfifo", "EEXIST", [&] { make_fifo(file); }))
      << "B1.2: a regular file already has the name";
  EXPECT_TRUE(fails_with("mkfifo", "EEXIST", [&] { make_fifo(directory); }))
      << "B1.2: a directory already has the name";
  std::string text;
  if (std::filesystem::is_regular_file(file)) {  // (opening a FIFO here would wait for a writer)
    std::ifstream in(file);
    std::getline(in, text);
  }
  EXPECT_EQ(text, "keep me")
      << "B1.2: make_fifo must not replace or change what already has the name";
  EXPECT_TRUE(std::filesystem::is_directory(directory))
      << "B1.2: make_fifo must not remove the directory that has the name";
}

TEST_F(FifoOpenHidden, B1_4_BlockingReadEndIsReadOnlyBlockingAndCloseOnExec) {
  UniqueFd both = hold_both_ends();
  ASSERT_TRUE(both) << errno_name(errno);
  UniqueFd fd = open_fifo(fifo_, Direction::read);
  EXPECT_TRUE(has_flags(fd.get(), O_RDONLY, false))
      << "B1.4: open_fifo(path, Direction::read) must give O_RDONLY | O_CLOEXEC";
}

TEST_F(FifoOpenHidden, B1_5_BlockingWriteEndIsWriteOnlyBlockingAndCloseOnExec) {
  UniqueFd both = hold_both_ends();
  ASSERT_TRUE(both) << errno_name(errno);
  UniqueFd fd = open_fifo(fifo_, Direction::write);
  EXPECT_TRUE(has_flags(fd.get(), O_WRONLY, false))
      << "B1.5: open_fifo(path, Direction::write) must give O_WRONLY | O_CLOEXEC";
}

TEST_F(FifoOpenHidden, B1_6_NonblockingOpenForReadingNeverWaits) {
  ChildProcess opener("opener", [&] {
    UniqueFd fd = open_fifo(fifo_, Direction::read, Blocking::no);
    auto flags = has_flags(fd.get(), O_RDONLY, true);
    CHILD_REQUIRE(flags, "B1.6: open_fifo(path, Direction::read, Blocking::no): " +
                             std::string(flags.message()));
  });
  EXPECT_TRUE(finishes_without_blocking_in(
      opener, open_calls,
      "B1.6: with Blocking::no and no writer, open_fifo must return at once; it waits in "
      "open() — is O_NONBLOCK passed to open()?"));
}

TEST_F(FifoOpenHidden, B1_7_NonblockingOpenForWritingIsEnxioAtOnceAndWorksWithAReader) {
  ChildProcess opener("opener", [&] {
    auto failed = fails_with("open", "ENXIO", [&] { open_fifo(fifo_, Direction::write, Blocking::no); });
    CHILD_REQUIRE(failed, "B1.7: no reader yet: " + std::string(failed.message()));
    UniqueFd reader(::open(fifo_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    UniqueFd fd = open_fifo(fifo_, Direction::write, Blocking::no);
    auto flags = has_flags(fd.get(), O_WRONLY, true);
    CHILD_REQUIRE(flags, "B1.7: with a reader, open_fifo(path, Direction::write, Blocking::no): " +
                             std::string(flags.message()));
  });
  EXPECT_TRUE(finishes_without_blocking_in(
      opener, open_calls,
      "B1.7: with Blocking::no and no reader, opening for writing must fail with ENXIO at "
      "once; it waits in open() — is O_NONBLOCK passed to open() for Direction::write?"));
}

TEST_F(FifoOpenHidden, B1_8_EveryKindOfOpenOfAMissingPathIsEnoent) {
  auto missing = scratch_path("missing.fifo");
  ChildProcess opener("opener", [&] {
    struct Case {
      Direction direction;
      Blocking blocking;
      const char* name;
    };
    for (auto [direction, blocking, name] :
         {Case{Direction::read, Blocking::yes, "read, Blocking::yes"},
          Case{Direction::write, Blocking::yes, "write, Blocking::yes"},
          Case{Direction::write, Blocking::no, "write, Blocking::no"},
          Case{Direction::read, Blocking::no, "read, Blocking::no"}}) {
      auto failed = fails_with("open", "ENOENT", [&] { open_fifo(missing, direction, blocking); });
      CHILD_REQUIRE(failed, std::string("B1.8: open_fifo(missing path, ") + name +
                                "): " + failed.message());
      CHILD_REQUIRE(!std::filesystem::exists(missing),
                    std::string("B1.8: open_fifo(missing path, ") + name +
                        ") created something there: open_fifo opens, it never creates");
    }
  });
  EXPECT_TRUE(finishes_without_blocking_in(
      opener, open_calls,
      "B1.8: opening a missing path must fail with ENOENT at once; open_fifo waits in open() "
      "— did it create the FIFO first?"));
}

TEST_F(FifoOpenHidden, B1_9_SetNonblockingSetsOrClearsNoMatterWhatWasThere) {
  UniqueFd fd(::open(fifo_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  ASSERT_TRUE(fd) << errno_name(errno);
  ASSERT_EQ(::fcntl(fd.get(), F_SETFL, O_NONBLOCK | O_APPEND), 0);

  set_nonblocking(fd.get(), true);
  EXPECT_TRUE(is_nonblocking(fd.get()))
      << "B1.9: set_nonblocking(fd, true) on a descriptor that already had O_NONBLOCK must "
         "leave it set (it was cleared: do not toggle the bit with ^, set it with |)";
  EXPECT_TRUE(is_append(fd.get())) << "B1.9: set_nonblocking(fd, true) lost O_APPEND";

  set_nonblocking(fd.get(), false);
  set_nonblocking(fd.get(), false);
  EXPECT_FALSE(is_nonblocking(fd.get()))
      << "B1.9: set_nonblocking(fd, false) twice must leave O_NONBLOCK cleared (it was set "
         "again: do not toggle the bit with ^, clear it with & ~O_NONBLOCK)";
  EXPECT_TRUE(is_append(fd.get())) << "B1.9: set_nonblocking(fd, false) lost O_APPEND";

  set_nonblocking(fd.get(), true);
  EXPECT_TRUE(is_nonblocking(fd.get())) << "B1.9: set_nonblocking(fd, true) must set O_NONBLOCK";
  EXPECT_TRUE(is_append(fd.get())) << "B1.9: set_nonblocking(fd, true) lost O_APPEND";
}

TEST_F(FifoOpenHidden, B1_9_SetNonblockingOnABadDescriptorIsEbadf) {
  EXPECT_TRUE(fails_with("fcntl", "EBADF", [] { set_nonblocking(-1, true); }))
      << "B1.9: -1 is no descriptor: check() the result of fcntl";
  EXPECT_TRUE(fails_with("fcntl", "EBADF", [] { set_nonblocking(-1, false); }))
      << "B1.9: -1 is no descriptor: check() the result of fcntl";
}

}  // namespace
}  // namespace ipclab::fifo
