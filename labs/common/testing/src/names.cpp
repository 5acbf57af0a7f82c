#include "ipclab/testing/names.hpp"

#include <fcntl.h>
#include <mqueue.h>

#include <exception>
#include <utility>

#include <gtest/gtest.h>

namespace ipclab::testing {

bool message_queue_exists(const std::string& name) {
  mqd_t mqd = ::mq_open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (mqd == static_cast<mqd_t>(-1)) {
    return false;
  }
  ::mq_close(mqd);
  return true;
}

ScopedName::ScopedName(std::string name, std::function<void(const std::string&)> remove)
    : name_(std::move(name)),
      remove_(std::move(remove)),
      exceptions_at_start_(std::uncaught_exceptions()) {}

ScopedName::~ScopedName() {
  try {
    remove_(name_);
  } catch (const std::exception& error) {
    // An exception leaving the test body is reported by GoogleTest only after
    // this destructor has run: it counts as a failure already.
    bool failing = ::testing::Test::HasFailure() ||
                   std::uncaught_exceptions() > exceptions_at_start_;
    if (!failing) {
      ADD_FAILURE() << "removing " << name_ << " at the end of the test failed: " << error.what();
    }
  }
}

}  // namespace ipclab::testing
