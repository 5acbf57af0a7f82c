#include "ipclab/testing/producers.hpp"

namespace ipclab::testing {

std::string numbered(int p, int i) { return std::to_string(p) + "." + std::to_string(i); }

ProducerProcesses::ProducerProcesses(int count, const std::function<void(int p)>& body,
                                     const std::string& role) {
  children_.reserve(static_cast<std::size_t>(count));
  for (int p = 0; p < count; ++p) {
    children_.emplace_back(role + " " + std::to_string(p), [&body, p] { body(p); });
  }
}

std::vector<ChildResult> ProducerProcesses::wait() {
  std::vector<ChildResult> results;
  for (auto& child : children_) {
    results.push_back(child.wait());
  }
  return results;
}

::testing::AssertionResult exited_ok(const std::vector<ChildResult>& results) {
  std::string failures;
  for (const auto& result : results) {
    if (!result.ok()) {
      failures += (failures.empty() ? "" : "\n") + result.describe();
    }
  }
  if (failures.empty()) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << failures;
}

}  // namespace ipclab::testing
