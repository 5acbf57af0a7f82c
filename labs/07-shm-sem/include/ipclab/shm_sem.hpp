/// \file
/// \brief Lab 07 — POSIX shared memory and semaphores: a ring buffer between processes.
///
/// Shared memory is the fastest way to move bytes between processes: once two
/// processes map the same object, a store by one is a load by the other, with
/// no system call in between. What it does not give is *order*: who may write
/// where, and when. That is the semaphores' job. This lab builds both layers and
/// then a multi-producer, multi-consumer ring buffer on top of them, one that
/// survives a process killed while it holds the lock.
///
/// The behaviour ids (B7.n) are those of the handout, docs/labs/07-shm-sem.md,
/// and of the tests.
///
/// Errors: a failing call throws ipclab::SystemError naming it. "Not taken" and
/// "timed out" are *answers*, reported as false or std::nullopt. A wrong size
/// or a ring of another shape throws std::invalid_argument or BadRing with a
/// message that says what is wrong.
///
/// \see The handout, \ref lab07, and the slides linked at its top.
#pragma once

#include <pthread.h>
#include <semaphore.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "ipclab/error.hpp"
#include "ipclab/unique_fd.hpp"

/// Lab 07: POSIX shared memory, semaphores and a ring buffer, explained in
/// \ref lab07 "the handout".
namespace ipclab::shm_sem {

// ---- Shared memory objects (B7.1 – B7.4) ---------------------------------------

/// A POSIX shared memory object, mapped MAP_SHARED for reading and writing.
/// The destructor unmaps it and closes the descriptor (the name stays: see
/// unlink_shared_memory). Move-only.
class SharedMemory {
 public:
  /// Creates the object `name` exclusively (\man{shm_open,3} with O_CREAT |
  /// O_EXCL | O_RDWR and `mode`, less the umask), sizes it with
  /// \man{ftruncate,2} and maps all of it with \man{mmap,2} MAP_SHARED.
  ///
  /// B7.1: a new object reads as zeros and \man{fstat,2} reports `size`; an
  /// existing name fails with EEXIST (SystemError for "shm_open"). B7.2: a
  /// `size` of 0 throws std::invalid_argument before anything is created (there
  /// would be nothing to map: mmap refuses a length of 0).
  static SharedMemory create(const std::string& name, std::size_t size, mode_t mode = 0600);

  /// Opens the existing object `name` for reading and writing and maps it.
  ///
  /// B7.2: `size` 0 maps the whole object, whose size \man{fstat,2} tells.
  /// A `size` larger than the object, or an object of size 0 (its creator never
  /// called ftruncate), throws std::invalid_argument naming both sizes: touching
  /// a mapped page beyond the end of the object raises SIGBUS, so the mapping is
  /// refused instead. A missing name fails with ENOENT (SystemError for "shm_open").
  static SharedMemory open(const std::string& name, std::size_t size = 0);

  SharedMemory(SharedMemory&& other) noexcept;             ///< takes over `other`'s mapping
  SharedMemory& operator=(SharedMemory&& other) noexcept;  ///< unmaps ours, takes over `other`'s
  SharedMemory(const SharedMemory&) = delete;
  SharedMemory& operator=(const SharedMemory&) = delete;
  /// B7.4: unmaps (\man{munmap,2}) and closes the descriptor; provided.
  ~SharedMemory();

  /// The first byte of the mapping: B7.3: what one process writes there,
  /// every process that maps the object sees (MAP_SHARED).
  [[nodiscard]] std::byte* data() const noexcept { return static_cast<std::byte*>(address_); }
  /// The mapping's length in bytes.
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// The object's descriptor (for fstat and fchmod).
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }
  /// Takes ownership of the mapping of `size` bytes at `address` of the object
  /// `fd` (what create and open return once they have mapped it); provided.
  static SharedMemory adopt(UniqueFd fd, void* address, std::size_t size) noexcept {
    return SharedMemory(std::move(fd), address, size);
  }

 private:
  SharedMemory(UniqueFd fd, void* address, std::size_t size) noexcept
      : fd_(std::move(fd)), address_(address), size_(size) {}
  UniqueFd fd_;
  void* address_ = nullptr;
  std::size_t size_ = 0;
};

/// Removes the name `name` (\man{shm_unlink,3}). B7.4: mappings made before stay
/// valid and shared; the memory is freed when the last one goes. ENOENT is thrown.
void unlink_shared_memory(const std::string& name);

// ---- Semaphores, named and unnamed (B7.5 – B7.11) ------------------------------

/// A named semaphore (\man{sem_overview,7}), closed by the destructor. Move-only.
/// On Linux the name "/x" is the file /dev/shm/sem.x.
class NamedSemaphore {
 public:
  /// Creates the semaphore `name` exclusively with `value` (\man{sem_open,3}
  /// with O_CREAT | O_EXCL). B7.5: an existing name fails with EEXIST; a `value`
  /// above SEM_VALUE_MAX fails with EINVAL (both SystemError for "sem_open").
  static NamedSemaphore create(const std::string& name, unsigned value, mode_t mode = 0600);
  /// Opens the existing semaphore `name`; ENOENT when there is none (B7.5).
  static NamedSemaphore open(const std::string& name);

  NamedSemaphore(NamedSemaphore&& other) noexcept;  ///< takes over `other`'s semaphore
  NamedSemaphore& operator=(NamedSemaphore&& other) noexcept;  ///< closes ours, takes over `other`'s
  NamedSemaphore(const NamedSemaphore&) = delete;
  NamedSemaphore& operator=(const NamedSemaphore&) = delete;
  ~NamedSemaphore();  ///< \man{sem_close,3}; provided

  /// The semaphore, for wait(), post() and the others below.
  [[nodiscard]] sem_t& get() const noexcept { return *sem_; }

 private:
  explicit NamedSemaphore(sem_t* sem) noexcept : sem_(sem) {}
  sem_t* sem_ = nullptr;
};

/// Removes the semaphore's name (\man{sem_unlink,3}); provided. ENOENT is thrown.
void unlink_semaphore(const std::string& name);

/// Takes one unit, waiting while the value is 0 (\man{sem_wait,3}). B7.7: it
/// waits in the kernel (a futex wait), not in a loop of its own. B7.10: a signal
/// handler's EINTR is retried: the call goes on waiting.
void wait(sem_t& sem);

/// Takes one unit if there is one (\man{sem_trywait,3}). B7.6: EAGAIN is "not
/// taken", reported as false — not an exception; it never waits.
bool try_wait(sem_t& sem);

/// Takes one unit, waiting at most until `deadline` (\man{sem_timedwait,3},
/// an *absolute* CLOCK_REALTIME time). B7.8: false on ETIMEDOUT; a deadline in
/// the past still takes a unit that is there. B7.10: EINTR is retried with the
/// same absolute deadline.
bool wait_until(sem_t& sem, std::chrono::system_clock::time_point deadline);

/// Adds one unit, waking one waiter (\man{sem_post,3}). B7.9: past
/// SEM_VALUE_MAX it fails with EOVERFLOW (SystemError for "sem_post").
void post(sem_t& sem);

/// The current value (\man{sem_getvalue,3}); provided. Linux never reports
/// waiters as a negative value: 0 means "no unit", waiters or not.
int value(sem_t& sem);

/// Initialises an unnamed semaphore placed in memory shared between processes
/// (\man{sem_init,3} with pshared = 1). B7.11: a process waiting on it is
/// woken by a post from another process. (With pshared = 0 glibc uses a
/// process-private futex, and a post in another process never wakes the waiter.)
void init_shared(sem_t& sem, unsigned value);

/// Destroys an unnamed semaphore (\man{sem_destroy,3}): done once, by its
/// owner, when no process waits on it any more (B7.11).
void destroy(sem_t& sem);

// ---- The ring buffer (B7.12 – B7.20) ---------------------------------------

/// The shape of a ring: `capacity` slots of up to `slot_size` bytes each.
struct Geometry {
  std::uint32_t capacity = 8;     ///< number of slots, at least 1
  std::uint32_t slot_size = 128;  ///< largest message, in bytes, at least 1
  /// Same capacity and slot size.
  friend bool operator==(const Geometry&, const Geometry&) = default;
};

/// Attaching to something that is not a ring, or to a ring of another geometry.
class BadRing : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// "RING" in ASCII: the first four bytes of every ring.
inline constexpr std::uint32_t kRingMagic = 0x474e4952;
/// The layout version below; a ring of another version is refused.
inline constexpr std::uint32_t kRingVersion = 1;

/// What the process holding the lock was doing, so that the next one can
/// finish or undo it if that process dies (B7.19).
enum class Pending : std::uint32_t {
  none,  ///< nothing in progress
  push,  ///< writing slot `pending_index`, then tail = pending_index + 1
  pop,   ///< reading slot `pending_index`, then head = pending_index + 1
};

/// The start of the shared memory object of a ring (provided layout). The
/// slots follow it: slot i begins at slot_offset(geometry, i) with a 4-byte
/// length and then the message's bytes.
struct RingHeader {
  std::uint32_t magic = 0;      ///< kRingMagic, written last by the creator
  std::uint32_t version = 0;    ///< kRingVersion
  std::uint32_t capacity = 0;   ///< Geometry::capacity
  std::uint32_t slot_size = 0;  ///< Geometry::slot_size
  pthread_mutex_t lock;         ///< process-shared, robust: guards everything below
  sem_t free_slots;             ///< unnamed, process-shared: slots a producer may fill
  sem_t filled_slots;           ///< unnamed, process-shared: messages a consumer may take
  std::uint32_t head = 0;       ///< the next slot to pop, always in [0, capacity)
  std::uint32_t tail = 0;       ///< the next slot to push, always in [0, capacity)
  Pending pending = Pending::none;   ///< the operation in progress under the lock
  std::uint32_t pending_index = 0;   ///< the slot it works on
};

/// Bytes from one slot to the next: the length word and slot_size bytes, rounded to 8.
std::size_t slot_stride(Geometry geometry) noexcept;
/// Where slot `index` begins in the object.
std::size_t slot_offset(Geometry geometry, std::uint32_t index) noexcept;
/// The size of the shared memory object of a ring: the header and `capacity` slots.
std::size_t ring_bytes(Geometry geometry) noexcept;

/// A test hook (provided): push() calls run_push_hook() in the critical section,
/// holding the lock, after recording Pending::push and copying the message into
/// its slot, before it commits the message by moving tail. The tests use it to
/// kill a producer at exactly that point (B7.19). The default hook does nothing.
void set_push_hook(void (*hook)()) noexcept;
/// Calls the hook set by set_push_hook, if any.
void run_push_hook() noexcept;

/// A bounded multi-producer, multi-consumer queue of messages in one shared
/// memory object, synchronised by two process-shared semaphores (free and
/// filled slots) and a process-shared robust mutex. Any number of processes
/// attach by name. Move-only.
///
/// The order of every push and pop: take a unit of the slot semaphore *first*,
/// then the lock; release the lock, then post the other semaphore. Waiting for a
/// slot while holding the lock would stop everyone (B7.15).
class Ring {
 public:
  /// Creates the ring `name` (its shared memory object, exclusively) with
  /// `geometry`, initialises the header (a robust, process-shared mutex; two
  /// semaphores with init_shared: capacity free, 0 filled) and writes the magic
  /// last. The returned ring is the *owner*: its destructor unlinks the name
  /// (B7.20). B7.12: a capacity or slot_size of 0 throws std::invalid_argument.
  static Ring create(const std::string& name, Geometry geometry);

  /// Attaches to the existing ring `name`, which must have `expected` geometry.
  /// B7.13: an object too small for a header, without the magic, of another
  /// version or of another geometry (or size) throws BadRing saying which.
  static Ring attach(const std::string& name, Geometry expected);

  Ring(Ring&& other) noexcept;             ///< takes over `other` (and its ownership)
  Ring& operator=(Ring&& other) noexcept;  ///< releases ours, takes over `other`'s
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  /// Unmaps; the owner also unlinks the name (B7.20), but leaves the semaphores
  /// and the mutex alone: processes still attached go on using them. Provided.
  ~Ring();

  /// Adds `message`, waiting while the ring is full (B7.14: the caller sits in
  /// a futex wait). A message longer than slot_size throws std::length_error
  /// and adds nothing (B7.16). Its length and bytes arrive exactly (B7.12).
  void push(std::span<const std::byte> message);
  /// Adds `message` if a slot is free now; false when full. Never waits (B7.17).
  bool try_push(std::span<const std::byte> message);
  /// Adds `message`, waiting for a free slot at most until `deadline`
  /// (CLOCK_REALTIME, absolute); false when the time ran out (B7.17).
  bool push_until(std::span<const std::byte> message,
                  std::chrono::system_clock::time_point deadline);

  /// Takes the oldest message, waiting while the ring is empty (B7.14). B7.15:
  /// the slot's "free" unit is posted only after the message has been copied
  /// out and the lock released: a producer may overwrite the slot at once.
  std::vector<std::byte> pop();
  /// Takes the oldest message if there is one now; std::nullopt when empty.
  /// Never waits (B7.17).
  std::optional<std::vector<std::byte>> try_pop();
  /// Takes the oldest message, waiting at most until `deadline`; std::nullopt
  /// when the time ran out (B7.17).
  std::optional<std::vector<std::byte>> pop_until(std::chrono::system_clock::time_point deadline);

  /// The ring's geometry.
  [[nodiscard]] Geometry geometry() const noexcept;
  /// The header at the start of the mapping (for tests and tools).
  [[nodiscard]] RingHeader& header() const noexcept;
  /// The start of slot `index` (its 4-byte length, then the bytes).
  [[nodiscard]] std::byte* slot(std::uint32_t index) const noexcept;

 private:
  Ring(SharedMemory memory, std::string name, bool owner) noexcept;

  /// Locks the ring's mutex. B7.19: when the previous holder died
  /// (EOWNERDEAD), first repairs what it left half done (see Pending), then
  /// marks the mutex consistent, so that later lockers never see ENOTRECOVERABLE.
  /// The repair waits for the next process that takes the lock: until then the
  /// dead producer's slot is missing. With a capacity of 1 that slot was the
  /// only one, so no push or pop gets as far as the lock again: use 2 or more.
  void lock();
  /// Unlocks the ring's mutex.
  void unlock();
  /// Everything of a push after its free slot was taken: locks, copies
  /// `message` into the tail slot, commits it (tail moves on), unlocks, and
  /// posts filled_slots.
  void enqueue(std::span<const std::byte> message);
  /// Everything of a pop after its filled slot was taken: locks, copies the
  /// head slot out, frees it (head moves on), unlocks, and posts free_slots.
  std::vector<std::byte> dequeue();
  /// Called by the destructor: the owner removes the name (\man{shm_unlink,3});
  /// a ring that only attached does nothing (B7.20).
  void unlink_if_owner();

  SharedMemory memory_;
  std::string name_;
  bool owner_ = false;
};

}  // namespace ipclab::shm_sem
