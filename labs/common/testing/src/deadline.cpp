#include "ipclab/testing/deadline.hpp"

#include <cstdlib>
#include <string>

namespace ipclab::testing {

std::chrono::milliseconds scaled(std::chrono::milliseconds base) {
  static const double factor = [] {
    const char* text = std::getenv("IPCLAB_TIMEOUT_SCALE");
    double value = text != nullptr ? std::strtod(text, nullptr) : 1.0;
    return value > 0 ? value : 1.0;
  }();
  return std::chrono::milliseconds(
      static_cast<long long>(static_cast<double>(base.count()) * factor));
}

}  // namespace ipclab::testing
