// Lab 07 public tests: shared memory objects (B7.1 – B7.4).
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "shm_fixture.hpp"

namespace ipclab::shm_sem {
namespace {

using testing::ChildProcess;
using testing::fails_with;

TEST_F(ShmSem, B7_1_CreateSizesAndZeroesTheObject) {
  testing::UmaskFor umask(022);
  testing::ScopedName name(shm_name("shm"), unlink_shared_memory);
  SharedMemory memory = SharedMemory::create(name, 10000, 0666);
  struct stat status {};
  ASSERT_EQ(::fstat(memory.fd(), &status), 0);
  EXPECT_EQ(status.st_size, 10000) << "B7.1: the object must be sized with ftruncate";
  EXPECT_EQ(status.st_mode & 0777, 0644u) << "B7.1: the mode is 0666 less the umask 022";
  ASSERT_EQ(memory.size(), 10000u);
  std::vector<std::byte> zeros(10000);
  EXPECT_EQ(std::memcmp(memory.data(), zeros.data(), zeros.size()), 0)
      << "B7.1: a new object reads as zeros";
  EXPECT_TRUE(fails_with("shm_open", "EEXIST", [&] { SharedMemory::create(name, 10, 0600); }))
      << "B7.1: create is exclusive";
}

TEST_F(ShmSem, B7_2_SizesThatCannotBeMappedAreRefused) {
  testing::ScopedName name(shm_name("shm"), unlink_shared_memory);
  EXPECT_THROW(SharedMemory::create(name, 0), std::invalid_argument) << "B7.2: size 0";
  EXPECT_FALSE(exists(shm_file(name))) << "B7.2: a refused size creates nothing";
  SharedMemory memory = SharedMemory::create(name, 4096);
  EXPECT_THROW(SharedMemory::open(name, 8192), std::invalid_argument)
      << "B7.2: mapping 8192 bytes of a 4096-byte object would raise SIGBUS past its end";
  EXPECT_EQ(SharedMemory::open(name).size(), 4096u) << "B7.2: size 0 maps what fstat reports";
  EXPECT_EQ(SharedMemory::open(name, 100).size(), 100u) << "B7.2: a smaller mapping is fine";
  EXPECT_TRUE(fails_with("shm_open", "ENOENT", [&] { SharedMemory::open(name.str() + "-missing"); }))
      << "B7.2";
}

TEST_F(ShmSem, B7_3_WritesAreSeenByAnotherProcess) {
  testing::ScopedName name(shm_name("shm"), unlink_shared_memory);
  SharedMemory memory = SharedMemory::create(name, 4096);
  testing::Event written("written");
  ChildProcess writer("writer", [&] {
    SharedMemory mine = SharedMemory::open(name);  // its own mapping, not the inherited one
    std::memcpy(mine.data() + 100, "hello", 5);
    written.notify();
  });
  ASSERT_TRUE(written.wait_for(writer));
  EXPECT_CHILD_OK(writer);
  EXPECT_EQ(std::memcmp(memory.data() + 100, "hello", 5), 0)
      << "B7.3: a write through another process's mapping must show in ours (MAP_SHARED)";
}

TEST_F(ShmSem, B7_4_UnlinkRemovesTheNameNotTheMapping) {
  std::string name = shm_name("shm");
  SharedMemory memory = SharedMemory::create(name, 4096);
  int fd = memory.fd();
  std::memcpy(memory.data(), "kept", 4);
  unlink_shared_memory(name);
  EXPECT_FALSE(exists(shm_file(name))) << "B7.4: the name is gone";
  EXPECT_EQ(std::memcmp(memory.data(), "kept", 4), 0) << "B7.4: the mapping stays valid";
  EXPECT_TRUE(fails_with("shm_unlink", "ENOENT", [&] { unlink_shared_memory(name); })) << "B7.4";
  std::byte* address = memory.data();
  { SharedMemory gone = std::move(memory); }
  EXPECT_FALSE(testing::is_open(fd)) << "B7.4: the destructor closes the descriptor";
  unsigned char resident = 0;
  EXPECT_EQ(::mincore(address, 4096, &resident), -1) << "B7.4: the destructor unmaps";
}

}  // namespace
}  // namespace ipclab::shm_sem
