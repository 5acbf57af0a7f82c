/// \file
/// \brief How long a test waits before it calls something a hang.
#pragma once

#include <chrono>

namespace ipclab::testing {

/// `base` multiplied by $IPCLAB_TIMEOUT_SCALE (default 1): sanitizer and valgrind
/// runs are slower, and a loaded machine must never turn a correct solution red.
std::chrono::milliseconds scaled(std::chrono::milliseconds base);

/// The default patience of a handshake or a child: 5 s, scaled. A correct
/// solution needs a tiny fraction of it; a wrong one is reported when it runs out.
inline std::chrono::steady_clock::time_point default_deadline() {
  return std::chrono::steady_clock::now() + scaled(std::chrono::seconds(5));
}

}  // namespace ipclab::testing
