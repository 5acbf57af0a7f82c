// fifo-server — the Lab 01 request/reply server, to watch in a terminal.
//
// Shows: one well-known FIFO for every client, one reply FIFO per client, a
// dummy write end so the server does not see end of file when a client leaves,
// and SIGPIPE ignored so a client that vanishes cannot kill the server.
//
//   terminal 1:  ./fifo-server /tmp/demo          (Ctrl-C to stop)
//   terminal 2:  ./fifo-client /tmp/demo hello world
//
// It answers each request with the text in upper case. Ctrl-C removes the FIFO:
// the handler may only call async-signal-safe functions, so it calls unlink()
// and _exit() — not the destructors, not printf.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstring>
#include <iostream>

#include "ipclab/bytes.hpp"
#include "ipclab/fifo.hpp"

namespace {
char fifo_to_remove[4096];

extern "C" void remove_fifo_and_exit(int /*signal*/) {
  ::unlink(fifo_to_remove);
  ::_exit(0);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::strcmp(argv[1], "--help") == 0) {
    std::cerr
        << "usage: fifo-server DIRECTORY\n"
           "Serves requests on DIRECTORY/server.fifo; replies go to DIRECTORY/client-PID.fifo.\n"
           "Run fifo-client DIRECTORY TEXT... in another terminal. Ctrl-C stops the server.\n";
    return argc == 2 ? 0 : 2;
  }
  try {
    std::filesystem::path directory = argv[1];
    std::filesystem::create_directories(directory);
    // The handler goes in before the FIFO exists, so no Ctrl-C can leave it behind.
    std::strncpy(fifo_to_remove, ipclab::fifo::server_fifo_path(directory).c_str(),
                 sizeof fifo_to_remove - 1);
    struct sigaction action {};
    action.sa_handler = remove_fifo_and_exit;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    ipclab::fifo::Server server(directory);

    std::cout << "serving on " << server.fifo_path().string() << " (Ctrl-C to stop)" << std::endl;
    for (;;) {
      bool delivered = server.serve_one([](pid_t client, std::span<const std::byte> body) {
        std::string text = ipclab::to_string(body);
        std::cout << "[client " << client << "] " << text << std::endl;
        std::transform(text.begin(), text.end(), text.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        return ipclab::to_bytes(text);
      });
      if (!delivered) {
        std::cout << "  (the client vanished before its reply: dropped it)" << std::endl;
      }
    }
  } catch (const std::exception& error) {
    std::cerr << "fifo-server: " << error.what() << '\n';
    return 1;
  }
}
