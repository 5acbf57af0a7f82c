// Lab 05 — thread notification: a Listener that handles every message, and an
// eventfd for an event loop. What each must do is in include/ipclab/mq_notify.hpp.
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <map>
#include <mutex>
#include <utility>

#include "ipclab/mq_notify.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::mq_notify {

// BEGIN SOLUTION
// What a notification thread and stop() share. The mutex is held for a whole
// notification (re-arm, then the work) and by stop(): so one notification runs
// at a time, and stop() waits for the one running.
struct Subscription {
  mqd_t mqd = static_cast<mqd_t>(-1);
  int id = 0;
  std::mutex mutex;
  bool stopped = false;
  std::function<void()> on_notification;  // called with `mutex` held

  std::mutex errors_mutex;  // apart: errors() may be called from the handler
  std::vector<std::string> errors;
};

namespace {
// Every live subscription, by id. The kernel may announce a notification just
// before stop() unregisters, and glibc then starts its thread later: that thread
// carries only the id, finds nothing here, and touches no freed object.
std::mutex registry_mutex;
std::map<int, std::shared_ptr<Subscription>> registry;
int last_id = 0;

void record_error(Subscription& subscription, std::string text) {
  std::lock_guard lock(subscription.errors_mutex);
  subscription.errors.push_back(std::move(text));
}

void notification_thread(sigval value) {
  std::shared_ptr<Subscription> subscription;
  {
    std::lock_guard lock(registry_mutex);
    auto found = registry.find(value.sival_int);
    if (found == registry.end()) {
      return;  // stopped already
    }
    subscription = found->second;
  }
  std::lock_guard lock(subscription->mutex);
  if (subscription->stopped) {
    return;
  }
  try {
    subscription->on_notification();
  } catch (const std::exception& error) {
    record_error(*subscription, error.what());  // a thread of glibc's: nothing must escape
  }
}

void arm(Subscription& subscription) {
  sigevent event{};
  event.sigev_notify = SIGEV_THREAD;
  event.sigev_notify_function = notification_thread;
  event.sigev_value.sival_int = subscription.id;
  check(::mq_notify(subscription.mqd, &event), "mq_notify");
}

std::shared_ptr<Subscription> subscribe(mqd_t mqd, std::function<void()> on_notification) {
  auto subscription = std::make_shared<Subscription>();
  subscription->mqd = mqd;
  subscription->on_notification = std::move(on_notification);
  std::lock_guard lock(registry_mutex);
  subscription->id = ++last_id;
  registry.emplace(subscription->id, subscription);
  return subscription;
}

// Forgets the subscription: a notification thread that starts from now on
// finds nothing, and one that is running is waited for. Returns false when it
// had been forgotten already.
bool forget(Subscription& subscription) {
  {
    std::lock_guard lock(registry_mutex);
    registry.erase(subscription.id);
  }
  std::lock_guard lock(subscription.mutex);  // waits for the one running, if any
  return !std::exchange(subscription.stopped, true);
}

// Stops a subscription that registered: after it returns, no notification of
// it runs and the queue has no registration of ours. A second call does nothing
// (a registration made since then is not the subscription's to remove).
void unsubscribe(const std::shared_ptr<Subscription>& subscription) {
  if (subscription && forget(*subscription)) {
    // After forget(): a notification that was running may have re-armed.
    ::mq_notify(subscription->mqd, nullptr);  // removing our own registration cannot fail
  }
}
}  // namespace
// END SOLUTION
// SKELETON: struct Subscription {};  // yours: what the notification thread and stop() share

Listener::Listener(const Queue& queue, Handler handler) {
  // BEGIN SOLUTION
  subscription_ = subscribe(queue.native(), nullptr);
  // The notification owns no reference to its subscription (the registry does).
  Subscription* self = subscription_.get();
  const Queue* source = &queue;
  auto each = [self, handler = std::move(handler)](const Message& message) {
    try {
      handler(message);
    } catch (const std::exception& error) {
      record_error(*self, error.what());  // reported, and the listener goes on
    } catch (...) {
      record_error(*self, "unknown exception");
    }
  };
  subscription_->on_notification = [self, source, each] {
    try {
      arm(*self);  // before draining (B5.5)
    } catch (const SystemError& error) {
      record_error(*self, error.what());  // EBUSY: another process took the queue meanwhile
    }
    source->drain(each);
  };
  std::lock_guard lock(self->mutex);  // the first round, like any notification's
  try {
    arm(*self);
  } catch (...) {
    // EBUSY: the registration in place is someone else's, or another of ours:
    // leave it, drain nothing, and fail.
    self->stopped = true;
    std::lock_guard registry_lock(registry_mutex);
    registry.erase(self->id);
    throw;
  }
  source->drain(each);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("register (SIGEV_THREAD), then drain what is queued; each notification: re-arm, then drain", queue, handler);
}

Listener::~Listener() { stop(); }

void Listener::stop() {
  // BEGIN SOLUTION
  unsubscribe(subscription_);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("unregister, wait for a running notification, and make sure none runs after this returns");
}

std::vector<std::string> Listener::errors() const {
  // BEGIN SOLUTION
  if (!subscription_) {
    return {};
  }
  std::lock_guard lock(subscription_->errors_mutex);
  return subscription_->errors;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("what the handler threw, one entry per throw");
}

NotificationEvents::NotificationEvents(const Queue& queue) {
  // BEGIN SOLUTION
  event_fd_ = UniqueFd(check(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd"));
  int fd = event_fd_.get();
  subscription_ = subscribe(queue.native(), [fd] {
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(fd, &one, sizeof one);  // full only after 2^64-2
  });
  try {
    rearm();
  } catch (...) {
    forget(*subscription_);  // not unsubscribe: the registration in place is not ours
    throw;
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("an eventfd, then register: each notification adds 1 to it", queue);
}

NotificationEvents::~NotificationEvents() {
  // BEGIN SOLUTION
  unsubscribe(subscription_);  // before event_fd_ closes: no late write to a reused number
  // END SOLUTION
}

std::uint64_t NotificationEvents::take() {
  // BEGIN SOLUTION
  std::uint64_t count = 0;
  if (::read(event_fd_.get(), &count, sizeof count) == -1) {
    if (errno == EAGAIN) {
      return 0;
    }
    throw_system_error("read", errno, "eventfd");
  }
  return count;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("read the eventfd's counter; EAGAIN means 0");
}

void NotificationEvents::rearm() {
  // BEGIN SOLUTION
  std::lock_guard lock(subscription_->mutex);
  arm(*subscription_);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("register again with SIGEV_THREAD");
}

}  // namespace ipclab::mq_notify
