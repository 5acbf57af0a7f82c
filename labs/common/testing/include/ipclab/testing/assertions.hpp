/// \file
/// \brief Assertions about errors that print errno by name.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include <gtest/gtest.h>

#include "ipclab/error.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::testing {

/// Passes when `action` throws ipclab::SystemError for `call` with one of
/// `errnos` (a removed System V queue is EINVAL or, under a waiting call, EIDRM).
/// Otherwise the message says what happened instead: "expected msgrcv to fail
/// with EINVAL or EIDRM; instead msgrcv failed with EINTR (...)".
template <typename Action>
::testing::AssertionResult fails_with_one_of(std::string_view call,
                                             std::initializer_list<int> errnos, Action&& action) {
  std::string names;
  for (int e : errnos) {
    names += (names.empty() ? "" : " or ") + errno_name(e);
  }
  const std::string expected = "expected " + std::string(call) + " to fail with " + names;
  try {
    action();
  } catch (const SystemError& error) {
    bool listed = std::find(errnos.begin(), errnos.end(), error.error_number()) != errnos.end();
    if (listed && error.call() == call) {
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

/// Passes when `action` throws ipclab::SystemError for `call` with `expected_errno`.
/// Otherwise the message says what happened instead: "expected mkfifo to fail
/// with EEXIST; it succeeded" or "...; open failed with ENOENT".
template <typename Action>
::testing::AssertionResult fails_with(std::string_view call, int expected_errno, Action&& action) {
  return fails_with_one_of(call, {expected_errno}, std::forward<Action>(action));
}

}  // namespace ipclab::testing
