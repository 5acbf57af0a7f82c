// mq-watch — print every message that arrives on a POSIX message queue, as it
// arrives, without ever sitting in mq_receive: the kernel announces each
// arrival on the empty queue (mq_notify), and mq-watch drains the queue.
//
//   ./mq-watch /demo                   notification on a thread (SIGEV_THREAD)
//   ./mq-watch /demo --signal SIGUSR1  notification by a signal (SIGEV_SIGNAL)
//   ./mq-send /demo "hello" -p 3       (Lab 03) in another terminal
//
// Stops at Ctrl-C (SIGINT) or SIGTERM and leaves the queue in place.
//
// Shows: a registration fires once, so each wake-up re-arms *before* it drains
// (the other order loses a wake-up for ever); the signals are blocked before
// anything can send them, and taken with one synchronous sigwaitinfo — no code
// runs in a signal handler. Pitfall avoided: mq-watch never opens and closes a
// second descriptor of the queue while watching, because closing *any*
// descriptor of the queue removes the process's registration.
#include <fcntl.h>
#include <signal.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include "ipclab/bytes.hpp"
#include "ipclab/error.hpp"
#include "ipclab/mq_notify.hpp"

namespace {
using namespace ipclab::mq_notify;

const char* const kUsage =
    "usage: mq-watch NAME [--signal SIG] [--create]\n"
    "Prints each message that arrives on the POSIX message queue NAME (\"/something\") until\n"
    "Ctrl-C; the queue stays.\n"
    "  --signal SIG  be notified with signal SIG (SIGUSR1, SIGUSR2, SIGRTMIN+N or a number)\n"
    "                instead of on a thread\n"
    "  --create      create NAME (10 messages of up to 8192 bytes) if it does not exist\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::mutex output;

void print(const Message& message) {
  std::string text = ipclab::to_string(message.payload);
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      c = '?';  // a control byte must not drive the terminal
    }
  }
  std::lock_guard lock(output);
  std::cout << "priority " << message.priority << ": " << text << std::endl;
}

void say(const std::string& line) {
  std::lock_guard lock(output);
  std::cout << "mq-watch: " << line << std::endl;
}

int parse_signal(const std::string& text) {
  if (text == "SIGUSR1" || text == "USR1") {
    return SIGUSR1;
  }
  if (text == "SIGUSR2" || text == "USR2") {
    return SIGUSR2;
  }
  int base = 0;
  std::string rest = text;
  if (text.rfind("SIGRTMIN", 0) == 0) {
    base = SIGRTMIN;
    rest = text.size() == 8 ? "0" : text.substr(9);  // "SIGRTMIN" or "SIGRTMIN+N"
    if (text.size() > 8 && text[8] != '+') {
      rest = "x";
    }
  }
  std::size_t used = 0;
  int number = -1;
  try {
    number = base + std::stoi(rest, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != rest.size() || number <= 0 || number > SIGRTMAX || number == SIGKILL ||
      number == SIGSTOP || number == SIGINT || number == SIGTERM) {
    throw UsageError("bad signal \"" + text +
                     "\": use SIGUSR1, SIGUSR2, SIGRTMIN+N (N from 0 to " +
                     std::to_string(SIGRTMAX - SIGRTMIN) + ") or a number");
  }
  return number;
}

Queue open_queue(const std::string& name, bool create) {
  try {
    return Queue::open(name);
  } catch (const ipclab::SystemError& error) {
    if (error.error_number() == ENOENT && create) {
      return Queue::create(name, Limits{});
    }
    if (error.error_number() == ENOENT) {
      throw std::runtime_error(std::string(error.what()) + "\nThere is no queue " + name +
                               ": create it with --create, or with mq-send -c " + name +
                               " \"first message\" (Lab 03)");
    }
    throw;
  }
}

// Waits for SIGINT/SIGTERM (blocked in main before any thread exists).
void wait_for_stop(const sigset_t& stop) {
  int signo = 0;
  while (sigwait(&stop, &signo) != 0) {
  }
}

int watch(const std::vector<std::string>& args) {
  std::string name;
  int notify_signal = 0;
  bool create = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--signal" && i + 1 < args.size()) {
      notify_signal = parse_signal(args[++i]);
    } else if (args[i] == "--create") {
      create = true;
    } else if (args[i] == "-h" || args[i] == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (name.empty() && !args[i].empty() && args[i][0] == '/') {
      name = args[i];
    } else {
      throw UsageError("unexpected \"" + args[i] + "\"");
    }
  }
  if (name.empty()) {
    throw UsageError("expected NAME, a queue name such as /demo");
  }
  // Block the stop signals (and the notification signal) now, in the only
  // thread: every thread started later inherits the mask.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigset_t all = stop;
  if (notify_signal != 0) {
    sigaddset(&all, notify_signal);
  }
  pthread_sigmask(SIG_BLOCK, &all, nullptr);

  Queue queue = open_queue(name, create);
  if (notify_signal == 0) {
    Listener listener(queue, print);  // registers, then drains what is there
    say("watching " + name + " (thread notification); Ctrl-C stops");
    wait_for_stop(stop);
    listener.stop();
    for (const auto& error : listener.errors()) {
      say("error: " + error);
    }
  } else {
    queue.rearm_and_drain(notify_signal, 0, print);  // the first round, like every other
    say("watching " + name + " (signal " + std::to_string(notify_signal) + "); Ctrl-C stops");
    for (;;) {
      int got = 0;
      if (sigwait(&all, &got) != 0 || got != notify_signal) {
        break;  // SIGINT or SIGTERM
      }
      queue.rearm_and_drain(notify_signal, 0, print);
    }
    queue.cancel_notification();
  }
  say("stopped; " + name + " stays (remove it with mq-rm " + name + " from Lab 03)");
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    return watch(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const UsageError& error) {
    std::cerr << "mq-watch: " << error.what() << "\n" << kUsage;
    return 2;
  } catch (const ipclab::SystemError& error) {
    std::cerr << "mq-watch: " << error.what()
              << (error.error_number() == EBUSY
                      ? "\nAnother process is registered for notification on this queue (one "
                        "registration per queue): stop the other watcher first"
                      : "")
              << "\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "mq-watch: " << error.what() << "\n";
    return 1;
  }
}
