// fifo-client — sends requests to fifo-server and prints the replies.
//
//   ./fifo-client /tmp/demo hello world     one request per argument
//   ./fifo-client /tmp/demo                 one request per line of standard input
//
// Shows: a client creates its own reply FIFO (named after its pid) *before*
// sending, so the server always has somewhere to answer, and removes it when done.
// Start several at once to see that each gets only its own replies.
#include <cstring>
#include <iostream>
#include <string>

#include "ipclab/bytes.hpp"
#include "ipclab/fifo.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0) {
    std::cerr << "usage: fifo-client DIRECTORY [TEXT...]\n"
                 "Sends each TEXT (or each line of standard input) to the fifo-server\n"
                 "serving DIRECTORY, and prints each reply.\n";
    return argc >= 2 ? 0 : 2;
  }
  try {
    ipclab::fifo::Client client(argv[1]);
    auto ask = [&client](const std::string& text) {
      std::cout << ipclab::to_string(client.request(ipclab::to_bytes(text))) << std::endl;
    };
    if (argc > 2) {
      for (int i = 2; i < argc; ++i) {
        ask(argv[i]);
      }
    } else {
      for (std::string line; std::getline(std::cin, line);) {
        ask(line);
      }
    }
  } catch (const ipclab::SystemError& error) {
    std::cerr << "fifo-client: " << error.what();
    // ENOENT: no server FIFO at all; ENXIO: a FIFO nobody reads (a crashed server's).
    if (error.error_number() == ENXIO || error.error_number() == ENOENT) {
      std::cerr << " — no server is running there (start fifo-server " << argv[1] << ")";
    }
    std::cerr << '\n';
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "fifo-client: " << error.what() << '\n';
    return 1;
  }
}
