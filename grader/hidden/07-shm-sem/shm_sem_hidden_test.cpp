// Lab 07 hidden tests: shared memory and semaphores (B7.1 – B7.11).
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <new>

#include "hidden_support.hpp"

namespace ipclab::shm_sem::hidden {
namespace {

using namespace std::chrono_literals;
using testing::blocked_in;
using testing::ChildProcess;
using testing::fails_with;
using testing::finishes_without_blocking_in;

using ShmHidden = Hidden;

TEST_F(ShmHidden, B7_1_EveryByteOfANewObjectCanBeWritten) {
  testing::ScopedName name(shm_name("shm"), unlink_shared_memory);
  SharedMemory memory = SharedMemory::create(name, 3 * 4096 + 10);
  ChildProcess writer("writer", [&] {
    memory.data()[memory.size() - 1] = std::byte{7};  // SIGBUS if the object was never sized
  });
  EXPECT_CHILD_OK(writer) << "B7.1: the last byte of a new object must be writable "
                             "(a SIGBUS means the object was not sized with ftruncate)";
}

TEST_F(ShmHidden, B7_1_TheModeIsPassedOn) {
  testing::UmaskFor umask(0);
  testing::ScopedName name(shm_name("shm"), unlink_shared_memory);
  SharedMemory memory = SharedMemory::create(name, 64, 0640);
  EXPECT_EQ(mode_of(file_of_shm(name)), 0640u) << "B7.1: created with the mode given";
}

TEST_F(ShmHidden, B7_2_AnUnsizedObjectIsRefused) {
  std::string name = shm_name("shm");
  int fd = ::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);  // never sized
  ASSERT_NE(fd, -1) << errno_name(errno);
  ::close(fd);
  EXPECT_THROW(SharedMemory::open(name), std::invalid_argument)
      << "B7.2: an object of size 0 cannot be mapped";
  EXPECT_THROW(SharedMemory::open(name, 16), std::invalid_argument)
      << "B7.2: 16 bytes of an object of 0 would raise SIGBUS";
  ::shm_unlink(name.c_str());
}

TEST_F(ShmHidden, B7_3_AForkedChildSharesTheMapping) {
  std::string name = shm_name("shm");
  SharedMemory memory = SharedMemory::create(name, 4096);
  unlink_shared_memory(name);
  std::memcpy(memory.data(), "parent", 6);
  testing::Event written("written");
  testing::Event seen("seen");
  ChildProcess child("child", [&] {
    CHILD_REQUIRE(std::memcmp(memory.data(), "parent", 6) == 0, "B7.3: the child sees the parent");
    std::memcpy(memory.data() + 8, "child", 5);
    written.notify();
    seen.wait_or_fail();
    CHILD_REQUIRE(std::memcmp(memory.data() + 16, "later", 5) == 0,
                  "B7.3: a write by the parent after fork must show in the child (MAP_SHARED)");
  });
  ASSERT_TRUE(written.wait_for(child));
  EXPECT_EQ(std::memcmp(memory.data() + 8, "child", 5), 0)
      << "B7.3: a write by the child must show in the parent (MAP_SHARED, not MAP_PRIVATE)";
  std::memcpy(memory.data() + 16, "later", 5);
  seen.notify();
  EXPECT_CHILD_OK(child);
}

TEST_F(ShmHidden, B7_5_TheSemaphoreModeLessTheUmask) {
  testing::UmaskFor umask(027);
  testing::ScopedName name(sem_name("sem"), unlink_semaphore);
  NamedSemaphore sem = NamedSemaphore::create(name, 0, 0666);
  EXPECT_EQ(mode_of(file_of_sem(name)), 0640u) << "B7.5: mode 0666 less the umask 027";
}

TEST_F(ShmHidden, B7_5_ValueMaxIsAccepted) {
  testing::ScopedName name(sem_name("sem"), unlink_semaphore);
  NamedSemaphore sem = NamedSemaphore::create(name, SEM_VALUE_MAX);
  EXPECT_EQ(value(sem.get()), SEM_VALUE_MAX) << "B7.5: SEM_VALUE_MAX itself is a valid value";
}

TEST_F(ShmHidden, B7_6_TryWaitNeverWaits) {
  testing::ScopedName name(sem_name("sem"), unlink_semaphore);
  NamedSemaphore sem = NamedSemaphore::create(name, 0);
  ChildProcess child("try_wait", [&] {
    CHILD_REQUIRE(!try_wait(sem.get()), "B7.6: try_wait at 0 is false");
  });
  EXPECT_TRUE(finishes_without_blocking_in(child, {"futex"}, "B7.6: try_wait must never wait"));
}

TEST_F(ShmHidden, B7_8_ATimeoutWaitsUntilTheDeadline) {
  testing::ScopedName name(sem_name("sem"), unlink_semaphore);
  NamedSemaphore sem = NamedSemaphore::create(name, 0);
  auto deadline = realtime_in(200ms);
  EXPECT_FALSE(wait_until(sem.get(), deadline)) << "B7.8";
  EXPECT_GE(std::chrono::system_clock::now(), deadline)
      << "B7.8: wait_until returned before its deadline: was the deadline passed as a relative "
         "timespec (a moment in 1970)?";
}

TEST_F(ShmHidden, B7_10_ASignalDuringWaitIsRetried) {
  testing::ScopedName name(sem_name("sem"), unlink_semaphore);
  NamedSemaphore sem = NamedSemaphore::create(name, 0);
  testing::Event handled("the waiter handled SIGUSR1");
  ChildProcess waiter("waiter", [&] {
    testing::notify_on_signal(SIGUSR1, handled, false);
    wait(sem.get());
    CHILD_REQUIRE(wait_until(sem.get(), realtime_in(60s)), "B7.10: expected the second post");
  });
  ASSERT_TRUE(blocked_in(waiter, {"futex"}));
  waiter.kill(SIGUSR1);
  ASSERT_TRUE(handled.wait_for(waiter));
  ASSERT_TRUE(blocked_in(waiter, {"futex"})) << "B7.10: after EINTR, wait must wait again";
  post(sem.get());
  ASSERT_TRUE(blocked_in(waiter, {"futex"}));
  waiter.kill(SIGUSR1);
  ASSERT_TRUE(handled.wait_for(waiter));
  ASSERT_TRUE(blocked_in(waiter, {"futex"})) << "B7.10: after EINTR, wait_until must wait again";
  post(sem.get());
  EXPECT_CHILD_OK(waiter) << "B7.10: EINTR is retried, not thrown";
}

TEST_F(ShmHidden, B7_11_SeveralChildrenWaitOnOneUnnamedSemaphore) {
  std::string name = shm_name("shm");
  SharedMemory memory = SharedMemory::create(name, sizeof(sem_t));
  unlink_shared_memory(name);
  auto* sem = new (memory.data()) sem_t;
  init_shared(*sem, 0);
  std::vector<ChildProcess> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back("waiter " + std::to_string(i), [&] { wait(*sem); });
  }
  for (auto& waiter : waiters) {
    ASSERT_TRUE(blocked_in(waiter, {"futex"})) << "B7.11";
  }
  for (int i = 0; i < 3; ++i) {
    post(*sem);
  }
  for (auto& waiter : waiters) {
    EXPECT_CHILD_OK(waiter) << "B7.11: each post in the parent wakes one waiting child "
                               "(a semaphore made with pshared = 0 wakes no other process)";
  }
  EXPECT_EQ(value(*sem), 0);
  destroy(*sem);
}

}  // namespace
}  // namespace ipclab::shm_sem::hidden
