/// \file
/// \brief Assertions about errors that print errno by name.
#pragma once

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "ipclab/error.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::testing {

/// Passes when `action` throws ipclab::SystemError for `call` with `expected_errno`.
/// Otherwise the message says what happened instead: "expected mkfifo to fail
/// with EEXIST; it succeeded" or "...; open failed with ENOENT".
template <typename Action>
::testing::AssertionResult fails_with(std::string_view call, int expected_errno, Action&& action) {
  const std::string expected =
      "expected " + std::string(call) + " to fail with " + errno_name(expected_errno);
  try {
    action();
  } catch (const SystemError& error) {
    if (error.error_number() == expected_errno && error.call() == call) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << expected << "; instead " << error.call() << " failed with "
           << errno_name(error.error_number()) << " (" << error.what() << ")";
  } catch (const NotImplemented& error) {
    return ::testing::AssertionFailure() << error.what();
  } catch (const std::exception& error) {
    return ::testing::AssertionFailure() << expected << "; instead it threw: " << error.what();
  }
  return ::testing::AssertionFailure() << expected << "; it succeeded";
}

}  // namespace ipclab::testing
