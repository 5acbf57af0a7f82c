// Your file for this lab: replace each IPCLAB_TODO(...) with your code.
// (The course generates it from the reference solution with ./ipclab skeletons.)
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

SharedMemory SharedMemory::create(const std::string& name, std::size_t size, mode_t mode) {
  IPCLAB_TODO("shm_open with O_CREAT | O_EXCL | O_RDWR, ftruncate to size, mmap MAP_SHARED; size 0 is std::invalid_argument", name, size, mode);
}

SharedMemory SharedMemory::open(const std::string& name, std::size_t size) {
  IPCLAB_TODO("shm_open O_RDWR, fstat for the size, refuse size 0 or a mapping larger than the object, mmap MAP_SHARED", name, size);
}

void unlink_shared_memory(const std::string& name) {
  IPCLAB_TODO("shm_unlink", name);
}

NamedSemaphore NamedSemaphore::create(const std::string& name, unsigned value, mode_t mode) {
  IPCLAB_TODO("sem_open with O_CREAT | O_EXCL, the mode and the value; SEM_FAILED throws", name, value, mode);
}

NamedSemaphore NamedSemaphore::open(const std::string& name) {
  IPCLAB_TODO("sem_open without O_CREAT; SEM_FAILED throws", name);
}

void wait(sem_t& sem) {
  IPCLAB_TODO("sem_wait, retried on EINTR", sem);
}

bool try_wait(sem_t& sem) {
  IPCLAB_TODO("sem_trywait: EAGAIN means false", sem);
}

bool wait_until(sem_t& sem, std::chrono::system_clock::time_point deadline) {
  IPCLAB_TODO("sem_timedwait with the absolute CLOCK_REALTIME deadline: ETIMEDOUT means false, EINTR retried", sem, deadline);
}

void post(sem_t& sem) {
  IPCLAB_TODO("sem_post; EOVERFLOW throws", sem);
}

void init_shared(sem_t& sem, unsigned value) {
  IPCLAB_TODO("sem_init with pshared = 1 (a process-shared semaphore)", sem, value);
}

void destroy(sem_t& sem) {
  IPCLAB_TODO("sem_destroy", sem);
}

}  // namespace ipclab::shm_sem
