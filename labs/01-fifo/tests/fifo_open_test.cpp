// Lab 01 public tests: creating and opening FIFOs (B1.1 – B1.9).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipclab/fifo.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::fifo {
namespace {

using testing::blocked_in;
using testing::ChildProcess;
using testing::access_mode;
using testing::fails_with;
using testing::is_append;
using testing::is_close_on_exec;
using testing::is_nonblocking;

class FifoOpen : public testing::IpcTest {};

TEST_F(FifoOpen, B1_1_MakeFifoCreatesAFifoWithTheMode) {
  auto fifo = scratch_path("made.fifo");
  mode_t old_mask = ::umask(0);
  make_fifo(fifo, 0640);
  ::umask(old_mask);
  struct stat info {};
  ASSERT_EQ(::stat(fifo.c_str(), &info), 0) << "B1.1: make_fifo did not create " << fifo;
  EXPECT_TRUE(S_ISFIFO(info.st_mode)) << "B1.1: " << fifo << " exists but is not a FIFO";
  EXPECT_EQ(info.st_mode & 0777, 0640u) << "B1.1: expected permission bits 0640";
}

TEST_F(FifoOpen, B1_2_MakeFifoOnAnExistingNameIsEexist) {
  auto fifo = scratch_path("twice.fifo");
  make_fifo(fifo);
  EXPECT_TRUE(fails_with("mkfifo", "EEXIST", [&] { make_fifo(fifo); }))
      << "B1.2: creating the same FIFO twice";
}

TEST_F(FifoOpen, B1_3_MakeFifoInAMissingDirectoryIsEnoent) {
  EXPECT_TRUE(fails_with("mkfifo", "ENOENT", [&] { make_fifo(scratch_path("no/such/dir.fifo")); }))
      << "B1.3: the directory does not exist";
}

TEST_F(FifoOpen, B1_4_BlockingOpenForReadingWaitsForAWriter) {
  auto fifo = scratch_path("rendezvous.fifo");
  make_fifo(fifo);
  ChildProcess reader("reader", [&] { open_fifo(fifo, Direction::read); });
  ASSERT_TRUE(blocked_in(reader, {"openat", "open"}))
      << "B1.4: a blocking open for reading must wait until a writer opens the FIFO";
  UniqueFd writer(::open(fifo.c_str(), O_WRONLY | O_CLOEXEC));  // releases the reader
  ASSERT_TRUE(writer) << "opening the write end failed: " << errno_name(errno);
  EXPECT_CHILD_OK(reader);
}

TEST_F(FifoOpen, B1_5_BlockingOpenForWritingWaitsForAReader) {
  auto fifo = scratch_path("rendezvous.fifo");
  make_fifo(fifo);
  ChildProcess writer("writer", [&] { open_fifo(fifo, Direction::write); });
  ASSERT_TRUE(blocked_in(writer, {"openat", "open"}))
      << "B1.5: a blocking open for writing must wait until a reader opens the FIFO";
  UniqueFd reader(::open(fifo.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(reader) << "opening the read end failed: " << errno_name(errno);
  EXPECT_CHILD_OK(writer);
}

TEST_F(FifoOpen, B1_6_NonblockingOpenForReadingSucceedsAtOnce) {
  auto fifo = scratch_path("alone.fifo");
  make_fifo(fifo);
  UniqueFd fd = open_fifo(fifo, Direction::read, Blocking::no);
  ASSERT_TRUE(fd) << "B1.6: expected a descriptor";
  EXPECT_EQ(access_mode(fd.get()), "O_RDONLY") << "B1.6: the descriptor must be read-only";
  EXPECT_TRUE(is_nonblocking(fd.get())) << "B1.6: Blocking::no must set O_NONBLOCK";
  EXPECT_TRUE(is_close_on_exec(fd.get())) << "B1.6: open_fifo must set O_CLOEXEC (every descriptor it opens)";
}

TEST_F(FifoOpen, B1_7_NonblockingOpenForWritingWithoutReaderIsEnxio) {
  auto fifo = scratch_path("alone.fifo");
  make_fifo(fifo);
  EXPECT_TRUE(fails_with("open", "ENXIO", [&] { open_fifo(fifo, Direction::write, Blocking::no); }))
      << "B1.7: nobody has the FIFO open for reading";
}

TEST_F(FifoOpen, B1_8_OpeningAMissingPathIsEnoent) {
  EXPECT_TRUE(fails_with("open", "ENOENT", [&] {
    open_fifo(scratch_path("missing.fifo"), Direction::read, Blocking::no);
  })) << "B1.8: there is no FIFO at that path";
}

TEST_F(FifoOpen, B1_9_SetNonblockingChangesOnlyONonblock) {
  auto fifo = scratch_path("flags.fifo");
  make_fifo(fifo);
  UniqueFd fd = open_fifo(fifo, Direction::read, Blocking::no);
  ASSERT_EQ(::fcntl(fd.get(), F_SETFL, O_NONBLOCK | O_APPEND), 0);
  set_nonblocking(fd.get(), false);
  EXPECT_FALSE(is_nonblocking(fd.get())) << "B1.9: set_nonblocking(fd, false) must clear O_NONBLOCK";
  EXPECT_TRUE(is_append(fd.get()))
      << "B1.9: set_nonblocking must keep the other flags (O_APPEND was lost)";
  set_nonblocking(fd.get(), true);
  EXPECT_TRUE(is_nonblocking(fd.get())) << "B1.9: set_nonblocking(fd, true) must set O_NONBLOCK";
}

}  // namespace
}  // namespace ipclab::fifo
