// Lab 07, part 1 — POSIX shared memory objects and semaphores.
// What each function must do is in include/ipclab/shm_sem.hpp.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <utility>

#include "ipclab/shm_sem.hpp"
#include "ipclab/time.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::shm_sem {

// ---- Provided: moving, unmapping, closing ----------------------------------------

SharedMemory::SharedMemory(SharedMemory&& other) noexcept
    : fd_(std::move(other.fd_)),
      address_(std::exchange(other.address_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

SharedMemory& SharedMemory::operator=(SharedMemory&& other) noexcept {
  if (this != &other) {
    SharedMemory old(std::move(*this));
    fd_ = std::move(other.fd_);
    address_ = std::exchange(other.address_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SharedMemory::~SharedMemory() {
  if (address_ != nullptr) {
    ::munmap(address_, size_);
  }
}

NamedSemaphore::NamedSemaphore(NamedSemaphore&& other) noexcept
    : sem_(std::exchange(other.sem_, nullptr)) {}

NamedSemaphore& NamedSemaphore::operator=(NamedSemaphore&& other) noexcept {
  if (this != &other) {
    NamedSemaphore old(std::move(*this));
    sem_ = std::exchange(other.sem_, nullptr);
  }
  return *this;
}

NamedSemaphore::~NamedSemaphore() {
  if (sem_ != nullptr) {
    ::sem_close(sem_);
  }
}

void unlink_semaphore(const std::string& name) {
  check(::sem_unlink(name.c_str()), "sem_unlink", name);
}

int value(sem_t& sem) {
  int current = 0;
  check(::sem_getvalue(&sem, &current), "sem_getvalue");
  return current;
}

// ---- Lab 07: yours -------------------------------------------------------------

// BEGIN SOLUTION
namespace {
// Maps all `size` bytes of the object behind `fd` for reading and writing.
SharedMemory map_shared(UniqueFd fd, std::size_t size, const std::string& name);
}  // namespace
// END SOLUTION

SharedMemory SharedMemory::create(const std::string& name, std::size_t size, mode_t mode) {
  // BEGIN SOLUTION
  if (size == 0) {
    throw std::invalid_argument("SharedMemory::create(" + name +
                                "): a size of 0 leaves nothing to map; give the size in bytes");
  }
  UniqueFd fd(check(::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode),
                    "shm_open", name));
  // A new object has size 0: without ftruncate every access to the mapping
  // would raise SIGBUS.
  if (::ftruncate(fd.get(), static_cast<off_t>(size)) == -1) {
    int error = errno;
    ::shm_unlink(name.c_str());  // do not leave a half-made object behind
    throw_system_error("ftruncate", error, name);
  }
  return map_shared(std::move(fd), size, name);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("shm_open with O_CREAT | O_EXCL | O_RDWR, ftruncate to size, mmap MAP_SHARED; size 0 is std::invalid_argument", name, size, mode);
}

SharedMemory SharedMemory::open(const std::string& name, std::size_t size) {
  // BEGIN SOLUTION
  UniqueFd fd(check(::shm_open(name.c_str(), O_RDWR | O_CLOEXEC, 0), "shm_open", name));
  struct stat status {};
  check(::fstat(fd.get(), &status), "fstat", name);
  auto object_size = static_cast<std::size_t>(status.st_size);
  if (object_size == 0) {
    throw std::invalid_argument("SharedMemory::open(" + name +
                                "): the object has size 0 — its creator never sized it with "
                                "ftruncate, and touching a mapping of it would raise SIGBUS");
  }
  if (size > object_size) {
    throw std::invalid_argument("SharedMemory::open(" + name + "): asked to map " +
                                std::to_string(size) + " bytes of an object of only " +
                                std::to_string(object_size) +
                                " bytes; the pages past its end would raise SIGBUS");
  }
  return map_shared(std::move(fd), size == 0 ? object_size : size, name);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("shm_open O_RDWR, fstat for the size, refuse size 0 or a mapping larger than the object, mmap MAP_SHARED", name, size);
}

// BEGIN SOLUTION
namespace {
SharedMemory map_shared(UniqueFd fd, std::size_t size, const std::string& name) {
  void* address = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (address == MAP_FAILED) {
    throw_system_error("mmap", errno, name);
  }
  return SharedMemory::adopt(std::move(fd), address, size);
}
}  // namespace
// END SOLUTION

void unlink_shared_memory(const std::string& name) {
  // BEGIN SOLUTION
  check(::shm_unlink(name.c_str()), "shm_unlink", name);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("shm_unlink", name);
}

NamedSemaphore NamedSemaphore::create(const std::string& name, unsigned value, mode_t mode) {
  // BEGIN SOLUTION
  sem_t* sem = ::sem_open(name.c_str(), O_CREAT | O_EXCL, mode, value);
  if (sem == SEM_FAILED) {
    throw_system_error("sem_open", errno, name);
  }
  return NamedSemaphore(sem);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("sem_open with O_CREAT | O_EXCL, the mode and the value; SEM_FAILED throws", name, value, mode);
}

NamedSemaphore NamedSemaphore::open(const std::string& name) {
  // BEGIN SOLUTION
  sem_t* sem = ::sem_open(name.c_str(), 0);
  if (sem == SEM_FAILED) {
    throw_system_error("sem_open", errno, name);
  }
  return NamedSemaphore(sem);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("sem_open without O_CREAT; SEM_FAILED throws", name);
}

void wait(sem_t& sem) {
  // BEGIN SOLUTION
  while (::sem_wait(&sem) == -1) {
    if (errno != EINTR) {
      throw_system_error("sem_wait");
    }
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("sem_wait, retried on EINTR", sem);
}

bool try_wait(sem_t& sem) {
  // BEGIN SOLUTION
  while (::sem_trywait(&sem) == -1) {
    if (errno == EAGAIN) {
      return false;  // not taken: an answer
    }
    if (errno != EINTR) {
      throw_system_error("sem_trywait");
    }
  }
  return true;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("sem_trywait: EAGAIN means false", sem);
}

bool wait_until(sem_t& sem, std::chrono::system_clock::time_point deadline) {
  // BEGIN SOLUTION
  const timespec when = to_timespec(deadline);  // absolute: a retry keeps the same end
  while (::sem_timedwait(&sem, &when) == -1) {
    if (errno == ETIMEDOUT) {
      return false;
    }
    if (errno != EINTR) {
      throw_system_error("sem_timedwait");
    }
  }
  return true;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("sem_timedwait with the absolute CLOCK_REALTIME deadline: ETIMEDOUT means false, EINTR retried", sem, deadline);
}

void post(sem_t& sem) {
  // BEGIN SOLUTION
  check(::sem_post(&sem), "sem_post");
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("sem_post; EOVERFLOW throws", sem);
}

void init_shared(sem_t& sem, unsigned value) {
  // BEGIN SOLUTION
  check(::sem_init(&sem, 1, value), "sem_init");  // 1: shared between processes
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("sem_init with pshared = 1 (a process-shared semaphore)", sem, value);
}

void destroy(sem_t& sem) {
  // BEGIN SOLUTION
  check(::sem_destroy(&sem), "sem_destroy");
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("sem_destroy", sem);
}

}  // namespace ipclab::shm_sem
