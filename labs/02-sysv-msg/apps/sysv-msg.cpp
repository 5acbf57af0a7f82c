// sysv-msg — create, send to, receive from, inspect and remove a System V
// message queue from the shell, to watch alongside `ipcs -q`.
//
//   touch /tmp/demo.key
//   ./sysv-msg create /tmp/demo.key          the key comes from ftok(path, 1)
//   ./sysv-msg send /tmp/demo.key 2 hello    type 2
//   ./sysv-msg send /tmp/demo.key 1 first    type 1
//   ipcs -q                                  2 messages, 10 bytes
//   ./sysv-msg recv /tmp/demo.key -5         the lowest type <= 5 first: "1 first"
//   ./sysv-msg stat /tmp/demo.key
//   ./sysv-msg rm /tmp/demo.key
//
// Shows: a queue outlives the programs that use it (until rm or a reboot), and a
// receiver chooses messages by type.
#include <cstring>
#include <iomanip>
#include <iostream>
#include <string>
#include <string_view>

#include "ipclab/bytes.hpp"
#include "ipclab/sysv_msg.hpp"

namespace {
using namespace ipclab::sysv;

constexpr int kProjectId = 1;

int usage(std::ostream& out, int status) {
  out << "usage: sysv-msg COMMAND PATH [ARGS]\n"
         "  create PATH               create the queue of ftok(PATH, 1)\n"
         "  send PATH TYPE TEXT       send TEXT with TYPE (> 0)\n"
         "  recv PATH [TYPE] [-n]     receive (TYPE 0: first; > 0: that type; < 0: lowest <= "
         "|TYPE|);\n"
         "                            -n: do not wait (IPC_NOWAIT)\n"
         "  stat PATH                 message count, bytes, limits, last pids\n"
         "  rm PATH                   remove the queue\n"
         "PATH must exist: it only serves to make the key. Compare with: ipcs -q\n";
  return status;
}

long parse_type(const std::string& text) {
  std::size_t used = 0;
  long type = std::stol(text, &used);
  if (used != text.size()) {
    throw std::invalid_argument("not a number: " + text);
  }
  return type;
}

int run(int argc, char** argv) {
  std::string_view command = argv[1];
  key_t key = make_key(argv[2], kProjectId);
  if (command == "create" && argc == 3) {
    auto queue = MessageQueue::create(key, 0600);
    // Eight hex digits, as ipcs -q prints keys.
    std::cout << "created key 0x" << std::hex << std::setw(8) << std::setfill('0') << key
              << std::dec << " id " << queue.id() << '\n';
  } else if (command == "send" && argc == 5) {
    MessageQueue::open(key).send(parse_type(argv[3]), ipclab::to_bytes(argv[4]));
  } else if (command == "recv" && argc >= 3 && argc <= 5) {
    ReceiveOptions options;
    bool wait = true;
    for (int i = 3; i < argc; ++i) {
      if (std::strcmp(argv[i], "-n") == 0) {
        wait = false;
      } else {
        options.type = parse_type(argv[i]);
      }
    }
    auto queue = MessageQueue::open(key);
    auto message = wait ? std::optional(queue.receive(options)) : queue.try_receive(options);
    if (!message) {
      std::cerr << "sysv-msg: no matching message (ENOMSG)\n";
      return 1;
    }
    std::cout << message->type << ' ' << ipclab::to_string(message->payload) << '\n';
  } else if (command == "stat" && argc == 3) {
    auto status = MessageQueue::open(key).status();
    std::cout << "messages " << status.messages << "\nbytes " << status.bytes << "\nmax_bytes "
              << status.max_bytes << "\nlast_sender " << status.last_sender << "\nlast_receiver "
              << status.last_receiver << "\nmode " << std::oct << status.mode << std::dec << '\n';
  } else if (command == "rm" && argc == 3) {
    MessageQueue::open(key).remove();
  } else {
    return usage(std::cerr, 2);
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    return usage(std::cout, 0);
  }
  if (argc < 3) {
    return usage(std::cerr, 2);
  }
  try {
    return run(argc, argv);
  } catch (const ipclab::SystemError& error) {
    std::cerr << "sysv-msg: " << error.what();
    if (error.call() == "msgget" && error.error_number() == ENOENT) {
      std::cerr << " — no queue for that key yet (sysv-msg create " << argv[2] << ")";
    } else if (error.call() == "ftok") {
      std::cerr << " — the path must exist (touch " << argv[2] << ")";
    }
    std::cerr << '\n';
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "sysv-msg: " << error.what() << '\n';
    return 1;
  }
}
