// Internal to the testing support: the process groups spawned by the current test.
#pragma once

#include <sys/types.h>

#include <vector>

namespace ipclab::testing::detail {

void remember_process_group(pid_t group);
std::vector<pid_t> take_process_groups();

}  // namespace ipclab::testing::detail
