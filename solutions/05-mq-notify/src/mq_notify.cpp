// Lab 05 — POSIX message queues: notification with signals, draining, the kernel's view.
// What each function must do is in include/ipclab/mq_notify.hpp. The first
// part of this file is provided (it is what Labs 03 and 04 taught); yours starts
// below it. The thread listener is in listener.cpp.
#include <fcntl.h>
#include <pthread.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "ipclab/bytes.hpp"
#include "ipclab/mq_notify.hpp"
#include "ipclab/time.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::mq_notify {

// ---- Provided: opening, sending, closing (Labs 03 and 04) ---------------------

Queue Queue::create(const std::string& name, Limits limits) {
  mq_attr attr{};
  attr.mq_maxmsg = limits.max_messages;
  attr.mq_msgsize = limits.message_size;
  return Queue(check(::mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr),
                     "mq_open", name));
}

Queue Queue::open(const std::string& name) {
  return Queue(check(::mq_open(name.c_str(), O_RDWR | O_CLOEXEC), "mq_open", name));
}

Queue::Queue(Queue&& other) noexcept : mqd_(std::exchange(other.mqd_, static_cast<mqd_t>(-1))) {}

Queue& Queue::operator=(Queue&& other) noexcept {
  if (this != &other) {
    Queue old(std::move(*this));
    mqd_ = std::exchange(other.mqd_, static_cast<mqd_t>(-1));
  }
  return *this;
}

Queue::~Queue() {
  if (mqd_ != static_cast<mqd_t>(-1)) {
    ::mq_close(mqd_);
  }
}

void Queue::send(std::span<const std::byte> message, unsigned priority) const {
  // glibc declares the buffer non-null; an empty span may carry a null pointer.
  const char* data = message.empty() ? "" : reinterpret_cast<const char*>(message.data());
  while (::mq_send(mqd_, data, message.size(), priority) == -1) {
    if (errno != EINTR) {
      throw_system_error("mq_send");
    }
  }
}

void Queue::send(std::string_view text, unsigned priority) const {
  send(to_bytes(text), priority);
}

long Queue::queued() const {
  mq_attr attr{};
  check(::mq_getattr(mqd_, &attr), "mq_getattr");
  return attr.mq_curmsgs;
}

void unlink(const std::string& name) { check(::mq_unlink(name.c_str()), "mq_unlink", name); }

// ---- Lab 05: yours ---------------------------------------------------------------

// BEGIN SOLUTION
namespace {
// One place that registers: a full sigevent, zeroed first (an uninitialised
// one carries garbage in the fields the kernel reads for this sigev_notify).
void register_notification(mqd_t mqd, sigevent event) {
  check(::mq_notify(mqd, &event), "mq_notify");  // EBUSY: someone is registered; never hidden
}
}  // namespace
// END SOLUTION

void Queue::notify_by_signal(int signo, int value) {
  // BEGIN SOLUTION
  // Block first: from the moment mq_notify succeeds, a message may arrive, and
  // an unblocked signal with its default action would end the process.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signo);
  if (int error = ::pthread_sigmask(SIG_BLOCK, &set, nullptr); error != 0) {
    throw_system_error("pthread_sigmask", error);
  }
  sigevent event{};
  event.sigev_notify = SIGEV_SIGNAL;
  event.sigev_signo = signo;
  event.sigev_value.sival_int = value;
  register_notification(mqd_, event);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("block signo with pthread_sigmask, then mq_notify(SIGEV_SIGNAL) with the value; EBUSY is thrown", signo, value);
}

void Queue::notify_none() {
  // BEGIN SOLUTION
  sigevent event{};
  event.sigev_notify = SIGEV_NONE;
  register_notification(mqd_, event);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_notify with SIGEV_NONE; EBUSY is thrown");
}

void Queue::notify_by_thread(void (*function)(sigval), sigval value) {
  // BEGIN SOLUTION
  sigevent event{};
  event.sigev_notify = SIGEV_THREAD;
  event.sigev_notify_function = function;
  event.sigev_notify_attributes = nullptr;  // default attributes
  event.sigev_value = value;
  register_notification(mqd_, event);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_notify with SIGEV_THREAD, the function and the value; EBUSY is thrown", function, value);
}

void Queue::cancel_notification() {
  // BEGIN SOLUTION
  check(::mq_notify(mqd_, nullptr), "mq_notify");
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_notify with a null sigevent");
}

std::size_t Queue::drain(const Handler& handler) const {
  // BEGIN SOLUTION
  mq_attr attr{};
  check(::mq_getattr(mqd_, &attr), "mq_getattr");
  Message message;
  // A deadline in 1970: on an empty queue the kernel answers ETIMEDOUT at
  // once, whatever the descriptor's O_NONBLOCK says (and EAGAIN if it is set).
  const timespec long_ago{0, 0};
  std::size_t count = 0;
  for (;;) {
    message.payload.resize(static_cast<std::size_t>(attr.mq_msgsize));
    ssize_t length = ::mq_timedreceive(mqd_, reinterpret_cast<char*>(message.payload.data()),
                                       message.payload.size(), &message.priority, &long_ago);
    if (length < 0) {
      if (errno == ETIMEDOUT || errno == EAGAIN) {
        return count;  // empty: drained
      }
      if (errno == EINTR) {
        continue;
      }
      throw_system_error("mq_timedreceive");
    }
    message.payload.resize(static_cast<std::size_t>(length));
    ++count;
    handler(message);
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("receive until the queue is empty, never waiting (mq_timedreceive with a past deadline); call handler with each", handler);
}

std::size_t Queue::rearm_and_drain(int signo, int value, const Handler& handler) {
  // BEGIN SOLUTION
  notify_by_signal(signo, value);  // first: a message that comes after it is announced
  return drain(handler);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("register again, then drain: in this order (B5.5)", signo, value, handler);
}

std::optional<SignalNotification> wait_for_signal(int signo, std::chrono::nanoseconds timeout) {
  // BEGIN SOLUTION
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signo);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::max(std::chrono::nanoseconds(0),
                         std::chrono::duration_cast<std::chrono::nanoseconds>(
                             deadline - std::chrono::steady_clock::now()));
    timespec wait{static_cast<time_t>(left.count() / 1'000'000'000),
                  static_cast<long>(left.count() % 1'000'000'000)};
    siginfo_t info{};
    if (::sigtimedwait(&set, &info, &wait) == signo) {
      return SignalNotification{info.si_signo, info.si_code, info.si_value.sival_int, info.si_pid,
                                info.si_uid};
    }
    if (errno == EAGAIN) {
      return std::nullopt;  // the time ran out: an answer
    }
    if (errno != EINTR) {
      throw_system_error("sigtimedwait");
    }
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("sigtimedwait for signo alone; EAGAIN means std::nullopt; EINTR waits again", signo, timeout);
}

KernelView parse_kernel_view(std::string_view text) {
  // BEGIN SOLUTION
  KernelView view;
  bool seen[4] = {false, false, false, false};
  const std::string_view keys[4] = {"QSIZE", "NOTIFY", "SIGNO", "NOTIFY_PID"};
  std::istringstream words{std::string(text)};
  std::string word;
  while (words >> word) {
    auto colon = word.find(':');
    if (colon == std::string::npos) {
      continue;
    }
    std::string_view key(word.data(), colon);
    const char* first = word.data() + colon + 1;
    const char* last = word.data() + word.size();
    auto number = [&](auto& field, int index) {
      auto [end, error] = std::from_chars(first, last, field);
      if (error != std::errc() || end != last || first == last) {
        throw std::invalid_argument("the mqueue file's " + std::string(keys[index]) +
                                    " is not a whole number: \"" + word + "\"");
      }
      seen[index] = true;
    };
    if (key == keys[0]) {
      number(view.queued_bytes, 0);
    } else if (key == keys[1]) {
      number(view.notify, 1);
    } else if (key == keys[2]) {
      number(view.signo, 2);
    } else if (key == keys[3]) {
      number(view.notify_pid, 3);
    }
  }
  for (int i = 0; i < 4; ++i) {
    if (!seen[i]) {
      throw std::invalid_argument("the mqueue file has no " + std::string(keys[i]) + " field: \"" +
                                  std::string(text) + "\"");
    }
  }
  return view;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("split into KEY:VALUE words; all four keys required, others ignored", text);
}

KernelView kernel_view(const std::string& name, const std::filesystem::path& mount) {
  // BEGIN SOLUTION
  std::error_code ignored;
  if (!std::filesystem::is_directory(mount, ignored)) {
    throw_system_error("open", ENOENT,
                       mount.string() +
                           " does not exist: the mqueue file system is not mounted there. Mount "
                           "it with: sudo mkdir -p /dev/mqueue && sudo mount -t mqueue none "
                           "/dev/mqueue");
  }
  auto file = mount / std::filesystem::path(name).relative_path();  // "/q" -> mount/q
  std::ifstream in(file);
  if (!in) {
    throw_system_error("open", errno == 0 ? ENOENT : errno,
                       file.string() + " (is there a queue named " + name + "?)");
  }
  std::string line;
  std::getline(in, line);
  return parse_kernel_view(line);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("read mount/NAME and parse it; a missing mount point says how to mount it", name, mount);
}

}  // namespace ipclab::mq_notify
