#include "ipclab/testing/assertions.hpp"

#include <cstring>

namespace ipclab::testing {

int errno_number(std::string_view name) {
  // glibc names every errno (strerrorname_np, 2.32+); Linux's are all below 4096.
  for (int number = 1; number < 4096; ++number) {
    const char* known = ::strerrorname_np(number);
    if (known != nullptr && name == known) {
      return number;
    }
  }
  return 0;
}

}  // namespace ipclab::testing
