#include "ipclab/testing/collector.hpp"

namespace ipclab::testing {

void Collector::add(std::string text) {
  std::lock_guard lock(mutex_);
  texts_.push_back(std::move(text));
  changed_.notify_all();
}

bool Collector::wait_for(std::size_t count, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return changed_.wait_until(lock, deadline, [&] { return texts_.size() >= count; });
}

std::vector<std::string> Collector::texts() {
  std::lock_guard lock(mutex_);
  return texts_;
}

}  // namespace ipclab::testing
