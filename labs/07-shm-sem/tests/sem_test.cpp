// Lab 07 public tests: named and unnamed semaphores (B7.5 – B7.9, B7.11).
#include <sys/mman.h>

#include <climits>
#include <new>

#include "shm_fixture.hpp"

namespace ipclab::shm_sem {
namespace {

using namespace std::chrono_literals;
using testing::blocked_in;
using testing::ChildProcess;
using testing::fails_with;

TEST_F(ShmSem, B7_5_NamedSemaphoreIsCreatedOnceWithItsValue) {
  std::string name = sem_name("sem");
  NamedSemaphore sem = NamedSemaphore::create(name, 3);
  EXPECT_EQ(value(sem.get()), 3) << "B7.5: the initial value";
  EXPECT_TRUE(exists(sem_file(name))) << "B7.5: on Linux a named semaphore is /dev/shm/sem.NAME";
  EXPECT_TRUE(fails_with("sem_open", "EEXIST", [&] { NamedSemaphore::create(name, 0); }))
      << "B7.5: create is exclusive";
  NamedSemaphore again = NamedSemaphore::open(name);
  post(again.get());
  EXPECT_EQ(value(sem.get()), 4) << "B7.5: open reaches the same semaphore";
  unlink_semaphore(name);
  EXPECT_FALSE(exists(sem_file(name))) << "B7.5: unlink removes the name";
  EXPECT_TRUE(fails_with("sem_open", "ENOENT", [&] { NamedSemaphore::open(name); })) << "B7.5";
  EXPECT_TRUE(fails_with("sem_open", "EINVAL", [&] {
    NamedSemaphore::create(sem_name("big"), static_cast<unsigned>(SEM_VALUE_MAX) + 1u);
  })) << "B7.5: a value above SEM_VALUE_MAX";
}

TEST_F(ShmSem, B7_6_TryWaitOnZeroIsNotTakenNotAnError) {
  testing::ScopedName name(sem_name("sem"), unlink_semaphore);
  NamedSemaphore sem = NamedSemaphore::create(name, 1);
  EXPECT_TRUE(try_wait(sem.get())) << "B7.6: a unit is there";
  EXPECT_FALSE(try_wait(sem.get())) << "B7.6: at 0, try_wait answers false";
  EXPECT_EQ(value(sem.get()), 0);
}

TEST_F(ShmSem, B7_7_WaitSleepsInTheKernelUntilAPost) {
  testing::ScopedName name(sem_name("sem"), unlink_semaphore);
  NamedSemaphore sem = NamedSemaphore::create(name, 0);
  ChildProcess waiter("waiter", [&] { wait(NamedSemaphore::open(name).get()); });
  ASSERT_TRUE(blocked_in(waiter, {"futex"}))
      << "B7.7: at 0, wait must sleep in a futex wait (sem_wait), not spin or return";
  post(sem.get());
  EXPECT_CHILD_OK(waiter) << "B7.7: a post wakes the waiter";
  EXPECT_EQ(value(sem.get()), 0) << "B7.7: the waiter took the unit";
}

TEST_F(ShmSem, B7_8_WaitUntilTakesAnAbsoluteDeadline) {
  testing::ScopedName name(sem_name("sem"), unlink_semaphore);
  NamedSemaphore sem = NamedSemaphore::create(name, 0);
  EXPECT_FALSE(wait_until(sem.get(), realtime_in(20ms))) << "B7.8: nothing came: false";
  post(sem.get());
  EXPECT_TRUE(wait_until(sem.get(), realtime_in(-1000ms)))
      << "B7.8: a unit that is there is taken even when the deadline has passed";
  ChildProcess waiter("waiter", [&] {
    CHILD_REQUIRE(wait_until(sem.get(), realtime_in(60s)), "B7.8: expected the post in time");
  });
  ASSERT_TRUE(blocked_in(waiter, {"futex"}))
      << "B7.8: a deadline a minute away must wait (a relative timespec is a moment in 1970)";
  post(sem.get());
  EXPECT_CHILD_OK(waiter);
}

TEST_F(ShmSem, B7_9_PostPastTheMaximumIsEoverflow) {
  testing::ScopedName name(sem_name("sem"), unlink_semaphore);
  NamedSemaphore sem = NamedSemaphore::create(name, SEM_VALUE_MAX);
  EXPECT_TRUE(fails_with("sem_post", "EOVERFLOW", [&] { post(sem.get()); })) << "B7.9";
  EXPECT_EQ(value(sem.get()), SEM_VALUE_MAX);
}

TEST_F(ShmSem, B7_11_UnnamedSemaphoreInSharedMemoryWorksAcrossProcesses) {
  std::string name = shm_name("shm");
  SharedMemory memory = SharedMemory::create(name, sizeof(sem_t));
  unlink_shared_memory(name);  // the mapping is all we need
  auto* sem = new (memory.data()) sem_t;
  init_shared(*sem, 0);
  ChildProcess waiter("waiter", [&] { wait(*sem); });
  ASSERT_TRUE(blocked_in(waiter, {"futex"})) << "B7.11: the child waits on the shared semaphore";
  post(*sem);
  EXPECT_CHILD_OK(waiter) << "B7.11: a post in the parent wakes a waiter in the child "
                             "(sem_init with pshared = 1)";
  destroy(*sem);
}

}  // namespace
}  // namespace ipclab::shm_sem
