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

// BEGIN SOLUTION
namespace {
// The pthread functions return the error number instead of setting errno.
void check_pthread(int result, const char* call) {
  if (result != 0) {
    throw_system_error(call, result);
  }
}

void check_fits(Geometry geometry, std::span<const std::byte> message) {
  if (message.size() > geometry.slot_size) {
    throw std::length_error("Ring::push: a message of " + std::to_string(message.size()) +
                            " bytes does not fit in a slot of " +
                            std::to_string(geometry.slot_size) + " bytes");
  }
}

// What the last holder of the lock left half done when it died: undo a push
// that was not committed, announce one that was; the same for a pop. Either
// way every slot unit is accounted for again.
void repair(RingHeader& h) {
  if (h.pending == Pending::push) {
    post(h.tail == h.pending_index ? h.free_slots : h.filled_slots);
  } else if (h.pending == Pending::pop) {
    post(h.head == h.pending_index ? h.filled_slots : h.free_slots);
  }
  h.pending = Pending::none;
}
}  // namespace
// END SOLUTION

Ring Ring::create(const std::string& name, Geometry geometry) {
  // BEGIN SOLUTION
  if (geometry.capacity == 0 || geometry.slot_size == 0) {
    throw std::invalid_argument("Ring::create(" + name + "): capacity and slot_size must be at least 1");
  }
  Ring ring(SharedMemory::create(name, ring_bytes(geometry)), name, true);  // unlinks on failure
  auto* h = new (ring.memory_.data()) RingHeader{};
  h->version = kRingVersion;
  h->capacity = geometry.capacity;
  h->slot_size = geometry.slot_size;
  pthread_mutexattr_t attributes;
  check_pthread(::pthread_mutexattr_init(&attributes), "pthread_mutexattr_init");
  ::pthread_mutexattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED);
  ::pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST);
  int result = ::pthread_mutex_init(&h->lock, &attributes);
  ::pthread_mutexattr_destroy(&attributes);
  check_pthread(result, "pthread_mutex_init");
  init_shared(h->free_slots, geometry.capacity);
  init_shared(h->filled_slots, 0);
  // Last: whoever attaches and sees the magic sees everything above.
  std::atomic_ref<std::uint32_t>(h->magic).store(kRingMagic, std::memory_order_release);
  return ring;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("SharedMemory::create of ring_bytes(geometry); a robust process-shared mutex; init_shared(free_slots, capacity) and (filled_slots, 0); the magic last", name, geometry);
}

Ring Ring::attach(const std::string& name, Geometry expected) {
  // BEGIN SOLUTION
  SharedMemory memory = SharedMemory::open(name);
  if (memory.size() < sizeof(RingHeader)) {
    throw BadRing(name + " is not a ring: its " + std::to_string(memory.size()) +
                  " bytes cannot even hold a ring's header");
  }
  auto& h = *std::launder(reinterpret_cast<RingHeader*>(memory.data()));
  if (std::atomic_ref<std::uint32_t>(h.magic).load(std::memory_order_acquire) != kRingMagic) {
    throw BadRing(name + " is not a ring: it does not start with the ring's magic number");
  }
  if (h.version != kRingVersion) {
    throw BadRing(name + " is a ring of layout version " + std::to_string(h.version) +
                  "; this code reads version " + std::to_string(kRingVersion));
  }
  Geometry found{h.capacity, h.slot_size};
  if (found != expected || memory.size() != ring_bytes(found)) {
    throw BadRing(name + " is a ring of " + std::to_string(found.capacity) + " slots of " +
                  std::to_string(found.slot_size) + " bytes (" + std::to_string(memory.size()) +
                  " bytes in all); expected " + std::to_string(expected.capacity) + " slots of " +
                  std::to_string(expected.slot_size) + " bytes");
  }
  return Ring(std::move(memory), name, false);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("SharedMemory::open, then check size, magic, version and geometry, throwing BadRing with what differs", name, expected);
}

void Ring::push(std::span<const std::byte> message) {
  // BEGIN SOLUTION
  check_fits(geometry(), message);
  wait(header().free_slots);  // the slot first, then the lock: never wait holding it
  enqueue(message);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("check the length, wait for a free slot, then enqueue", message);
}

bool Ring::try_push(std::span<const std::byte> message) {
  // BEGIN SOLUTION
  check_fits(geometry(), message);
  if (!try_wait(header().free_slots)) {
    return false;
  }
  enqueue(message);
  return true;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("check the length, try_wait for a free slot, then enqueue", message);
}

bool Ring::push_until(std::span<const std::byte> message,
                      std::chrono::system_clock::time_point deadline) {
  // BEGIN SOLUTION
  check_fits(geometry(), message);
  if (!wait_until(header().free_slots, deadline)) {
    return false;
  }
  enqueue(message);
  return true;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("check the length, wait_until a free slot, then enqueue", message, deadline);
}

std::vector<std::byte> Ring::pop() {
  // BEGIN SOLUTION
  wait(header().filled_slots);
  return dequeue();
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("wait for a filled slot, then dequeue");
}

std::optional<std::vector<std::byte>> Ring::try_pop() {
  // BEGIN SOLUTION
  if (!try_wait(header().filled_slots)) {
    return std::nullopt;
  }
  return dequeue();
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("try_wait for a filled slot, then dequeue");
}

std::optional<std::vector<std::byte>> Ring::pop_until(
    std::chrono::system_clock::time_point deadline) {
  // BEGIN SOLUTION
  if (!wait_until(header().filled_slots, deadline)) {
    return std::nullopt;
  }
  return dequeue();
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("wait_until a filled slot, then dequeue", deadline);
}

void Ring::lock() {
  // BEGIN SOLUTION
  int result = ::pthread_mutex_lock(&header().lock);
  if (result == EOWNERDEAD) {
    // We hold the lock, but its last holder died inside the critical section.
    repair(header());
    result = ::pthread_mutex_consistent(&header().lock);
  }
  check_pthread(result, "pthread_mutex_lock");
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("pthread_mutex_lock; on EOWNERDEAD repair the pending operation, then pthread_mutex_consistent");
}

void Ring::unlock() {
  // BEGIN SOLUTION
  check_pthread(::pthread_mutex_unlock(&header().lock), "pthread_mutex_unlock");
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("pthread_mutex_unlock");
}

void Ring::enqueue(std::span<const std::byte> message) {
  // BEGIN SOLUTION
  RingHeader& h = header();
  lock();
  h.pending = Pending::push;
  h.pending_index = h.tail;
  std::byte* target = slot(h.tail);
  auto length = static_cast<std::uint32_t>(message.size());
  std::memcpy(target, &length, sizeof length);
  if (!message.empty()) {
    std::memcpy(target + sizeof length, message.data(), message.size());
  }
  run_push_hook();
  h.tail = (h.tail + 1) % h.capacity;  // the commit
  h.pending = Pending::none;
  unlock();
  post(h.filled_slots);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("lock; record Pending::push; write length and bytes into slot(tail); run_push_hook(); move tail; clear pending; unlock; post filled_slots", message);
}

std::vector<std::byte> Ring::dequeue() {
  // BEGIN SOLUTION
  RingHeader& h = header();
  std::vector<std::byte> message(h.slot_size);  // allocated before the lock: may throw
  lock();
  h.pending = Pending::pop;
  h.pending_index = h.head;
  const std::byte* source = slot(h.head);
  std::uint32_t length = 0;
  std::memcpy(&length, source, sizeof length);
  length = std::min(length, h.slot_size);
  std::memcpy(message.data(), source + sizeof length, length);
  h.head = (h.head + 1) % h.capacity;
  h.pending = Pending::none;
  unlock();
  post(h.free_slots);  // only now may a producer overwrite the slot
  message.resize(length);
  return message;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("lock; record Pending::pop; copy slot(head) out; move head; clear pending; unlock; post free_slots");
}

void Ring::unlink_if_owner() {
  // BEGIN SOLUTION
  if (owner_) {
    owner_ = false;
    unlink_shared_memory(name_);
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("the owner removes the name with unlink_shared_memory");
}

}  // namespace ipclab::shm_sem
