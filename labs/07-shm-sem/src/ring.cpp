// Your file for this lab: replace each IPCLAB_TODO(...) with your code.
// (The course generates it from the reference solution with ./ipclab skeletons.)
// Lab 07, part 2 — a ring buffer in shared memory for many producer and
// consumer processes. What each function must do is in include/ipclab/shm_sem.hpp.
#include <sys/mman.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>
#include <utility>

#include "ipclab/shm_sem.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::shm_sem {

// ---- Provided: the layout, the test hook, moving and the destructor ------------

std::size_t slot_stride(Geometry geometry) noexcept {
  return (sizeof(std::uint32_t) + geometry.slot_size + 7) / 8 * 8;
}

std::size_t slot_offset(Geometry geometry, std::uint32_t index) noexcept {
  constexpr std::size_t header = (sizeof(RingHeader) + 63) / 64 * 64;
  return header + index * slot_stride(geometry);
}

std::size_t ring_bytes(Geometry geometry) noexcept {
  return slot_offset(geometry, geometry.capacity);
}

namespace {
void (*push_hook)() = nullptr;
}  // namespace

void set_push_hook(void (*hook)()) noexcept { push_hook = hook; }

void run_push_hook() noexcept {
  if (push_hook != nullptr) {
    push_hook();
  }
}

Ring::Ring(SharedMemory memory, std::string name, bool owner) noexcept
    : memory_(std::move(memory)), name_(std::move(name)), owner_(owner) {}

Ring::Ring(Ring&& other) noexcept
    : memory_(std::move(other.memory_)),
      name_(std::move(other.name_)),
      owner_(std::exchange(other.owner_, false)) {}

Ring& Ring::operator=(Ring&& other) noexcept {
  if (this != &other) {
    Ring old(std::move(*this));
    memory_ = std::move(other.memory_);
    name_ = std::move(other.name_);
    owner_ = std::exchange(other.owner_, false);
  }
  return *this;
}

Ring::~Ring() {
  try {
    unlink_if_owner();
  } catch (const std::exception&) {
    // A destructor must not throw; the name is left for tools/leftovers.sh to report.
  }
}

Geometry Ring::geometry() const noexcept { return {header().capacity, header().slot_size}; }

RingHeader& Ring::header() const noexcept {
  return *std::launder(reinterpret_cast<RingHeader*>(memory_.data()));
}

std::byte* Ring::slot(std::uint32_t index) const noexcept {
  return memory_.data() + slot_offset(geometry(), index);
}

// ---- Lab 07: yours -------------------------------------------------------------

Ring Ring::create(const std::string& name, Geometry geometry) {
  IPCLAB_TODO("SharedMemory::create of ring_bytes(geometry); a robust process-shared mutex; init_shared(free_slots, capacity) and (filled_slots, 0); the magic last", name, geometry);
}

Ring Ring::attach(const std::string& name, Geometry expected) {
  IPCLAB_TODO("SharedMemory::open, then check size, magic, version and geometry, throwing BadRing with what differs", name, expected);
}

void Ring::push(std::span<const std::byte> message) {
  IPCLAB_TODO("check the length, wait for a free slot, then enqueue", message);
}

bool Ring::try_push(std::span<const std::byte> message) {
  IPCLAB_TODO("check the length, try_wait for a free slot, then enqueue", message);
}

bool Ring::push_until(std::span<const std::byte> message,
                      std::chrono::system_clock::time_point deadline) {
  IPCLAB_TODO("check the length, wait_until a free slot, then enqueue", message, deadline);
}

std::vector<std::byte> Ring::pop() {
  IPCLAB_TODO("wait for a filled slot, then dequeue");
}

std::optional<std::vector<std::byte>> Ring::try_pop() {
  IPCLAB_TODO("try_wait for a filled slot, then dequeue");
}

std::optional<std::vector<std::byte>> Ring::pop_until(
    std::chrono::system_clock::time_point deadline) {
  IPCLAB_TODO("wait_until a filled slot, then dequeue", deadline);
}

void Ring::lock() {
  IPCLAB_TODO("pthread_mutex_lock; on EOWNERDEAD repair the pending operation, then pthread_mutex_consistent");
}

void Ring::unlock() {
  IPCLAB_TODO("pthread_mutex_unlock");
}

void Ring::enqueue(std::span<const std::byte> message) {
  IPCLAB_TODO("lock; record Pending::push; write length and bytes into slot(tail); run_push_hook(); move tail; clear pending; unlock; post filled_slots", message);
}

std::vector<std::byte> Ring::dequeue() {
  IPCLAB_TODO("lock; record Pending::pop; copy slot(head) out; move head; clear pending; unlock; post free_slots");
}

void Ring::unlink_if_owner() {
  IPCLAB_TODO("the owner removes the name with unlink_shared_memory");
}

}  // namespace ipclab::shm_sem
