// Test support: a replacement of the global operator new that counts allocations and can be told
// to fail them, for tests that assert "this path allocates nothing" (destructors, cancel) and
// "running out of memory ends cleanly". Linked only into the test executables that use it
// (tests/CMakeLists.txt); outside a FailingAllocations scope it only counts.
#pragma once

#include <cstdint>

namespace tcpsim::test {

// Allocations requested through operator new (all forms) since the program started, including
// the ones that were made to fail.
std::uint64_t allocations_requested();

// While one exists, every operator new throws std::bad_alloc (the nothrow forms return null).
// Single-threaded tests only.
class FailingAllocations {
 public:
  FailingAllocations();
  ~FailingAllocations();
  FailingAllocations(const FailingAllocations&) = delete;
  FailingAllocations& operator=(const FailingAllocations&) = delete;
  // Allocations requested (and refused) inside this scope so far.
  std::uint64_t refused() const;

 private:
  std::uint64_t start_;
};

}  // namespace tcpsim::test
