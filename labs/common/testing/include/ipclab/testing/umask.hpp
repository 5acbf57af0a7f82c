/// \file
/// \brief A umask for one scope, for tests of the mode a call creates objects with.
#pragma once

#include <sys/stat.h>

namespace ipclab::testing {

/// Sets the umask and restores the old one at the end of the scope, also when an
/// assertion returns early: with umask 0 the mode a wrapper passes on is the mode
/// the object gets, so a test can tell whether the mode was passed at all.
class UmaskFor {
 public:
  explicit UmaskFor(mode_t mask) : old_(::umask(mask)) {}
  ~UmaskFor() { ::umask(old_); }
  UmaskFor(const UmaskFor&) = delete;
  UmaskFor& operator=(const UmaskFor&) = delete;

 private:
  mode_t old_;
};

}  // namespace ipclab::testing
