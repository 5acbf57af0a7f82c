/// \file
/// \brief Assertions about errors that print errno by name.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "ipclab/error.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::testing {

/// The errno value called `name` ("EEXIST"), or 0 when no errno has that name.
/// Tests name errno values as strings because GoogleTest echoes an assertion's
/// expression after macro expansion: `fails_with("mq_open", EEXIST, ...)` would
/// print as `fails_with("mq_open", 17, ...)`, a number the student must look up.
int errno_number(std::string_view name);

namespace detail {
template <typename Action>
::testing::AssertionResult fails_with_any(std::string_view call, const std::vector<int>& errnos,
                                          Action&& action) {
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
}  // namespace detail

/// Passes when `action` throws ipclab::SystemError for `call` with one of the
/// errno values named (a removed System V queue is EINVAL or, under a waiting
/// call, EIDRM): `fails_with_one_of("msgrcv", {"EINVAL", "EIDRM"}, ...)`.
/// Otherwise the message says what happened instead: "expected msgrcv to fail
/// with EINVAL or EIDRM; instead msgrcv failed with EINTR (...)". A name that
/// is not an errno fails the test, naming it.
template <typename Action>
::testing::AssertionResult fails_with_one_of(std::string_view call,
                                             std::initializer_list<std::string_view> names,
                                             Action&& action) {
  std::vector<int> errnos;
  for (std::string_view name : names) {
    int number = errno_number(name);
    if (number == 0) {
      return ::testing::AssertionFailure() << "the test names an errno that does not exist: " << name;
    }
    errnos.push_back(number);
  }
  return detail::fails_with_any(call, errnos, std::forward<Action>(action));
}

/// Passes when `action` throws ipclab::SystemError for `call` with the errno
/// called `expected` ("EEXIST"). Otherwise the message says what happened
/// instead: "expected mkfifo to fail with EEXIST; it succeeded" or "...; open
/// failed with ENOENT".
template <typename Action>
::testing::AssertionResult fails_with(std::string_view call, std::string_view expected, Action&& action) {
  return fails_with_one_of(call, {expected}, std::forward<Action>(action));
}

}  // namespace ipclab::testing
