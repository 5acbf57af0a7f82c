// Lab 07 hidden tests: the ring buffer (B7.12 – B7.20), and the negative control.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "hidden_support.hpp"

// The hidden binary is linked with -Wl,--wrap=sem_post (labs/07-shm-sem/CMakeLists.txt):
// every sem_post of the code under test comes here first. B7.15's test uses it
// to play a producer that takes a slot the moment its "free" unit is posted.
extern "C" int __real_sem_post(sem_t* sem);

namespace ipclab::shm_sem::hidden {
namespace {
// The ring whose freed slots the wrapper overwrites, or none.
Ring* overwrite_after_free = nullptr;
}  // namespace
}  // namespace ipclab::shm_sem::hidden

extern "C" int __wrap_sem_post(sem_t* sem) {
  using ipclab::shm_sem::hidden::overwrite_after_free;
  int result = __real_sem_post(sem);
  if (overwrite_after_free != nullptr && sem == &overwrite_after_free->header().free_slots) {
    auto& header = overwrite_after_free->header();
    // A producer woken by this post may write as soon as it gets the lock: if
    // the lock is free now, do what it would do to the (only) slot.
    if (::pthread_mutex_trylock(&header.lock) == 0) {
      std::byte* slot = overwrite_after_free->slot(0);
      std::uint32_t length = header.slot_size;
      std::memcpy(slot, &length, sizeof length);
      std::memset(slot + sizeof length, 0xEE, header.slot_size);
      ::pthread_mutex_unlock(&header.lock);
    }
  }
  return result;
}

namespace ipclab::shm_sem::hidden {
namespace {

using namespace std::chrono_literals;
using testing::blocked_in;
using testing::ChildProcess;
using testing::finishes_without_blocking_in;

using RingHidden = Hidden;

TEST_F(RingHidden, B7_12_IndicesWrapAtTheCapacity) {
  Ring ring = make({3, 8});
  for (std::uint32_t n = 0; n < 10; ++n) {
    ring.push(to_bytes("m" + std::to_string(n)));
    ASSERT_LT(ring.header().tail, 3u) << "B7.12: tail must stay in [0, capacity) after push " << n;
    ASSERT_EQ(to_string(ring.pop()), "m" + std::to_string(n)) << "B7.12";
    ASSERT_LT(ring.header().head, 3u) << "B7.12: head must stay in [0, capacity) after pop " << n;
  }
  EXPECT_EQ(ring.header().tail, 10u % 3u) << "B7.12: ten pushes around a ring of 3";
}

TEST_F(RingHidden, B7_12_FullSlotsDoNotOverlap) {
  Ring ring = make({5, 33});
  for (std::uint32_t i = 0; i < 5; ++i) {
    ring.push(testing::pattern(33, i));
  }
  for (std::uint32_t i = 0; i < 5; ++i) {
    auto got = ring.pop();
    EXPECT_EQ(got, testing::pattern(33, i))
        << "B7.12: slot " << i << ": " << testing::first_difference(testing::pattern(33, i), got);
  }
  EXPECT_EQ(ring.header().magic, kRingMagic) << "B7.12: the header is intact";
}

TEST_F(RingHidden, B7_12_TheObjectHasTheRingsSize) {
  Ring ring = make({7, 100});
  struct stat status {};
  ASSERT_EQ(::stat(file_of_shm(ring_name_).c_str(), &status), 0);
  EXPECT_EQ(static_cast<std::size_t>(status.st_size), ring_bytes({7, 100}))
      << "B7.12: the object is ring_bytes(geometry) long";
  EXPECT_EQ(ring.header().version, kRingVersion) << "B7.12";
  EXPECT_EQ(value(ring.header().free_slots), 7) << "B7.12: a new ring has capacity free slots";
  EXPECT_EQ(value(ring.header().filled_slots), 0) << "B7.12";
}

TEST_F(RingHidden, B7_13_SmallObjectsAndOtherVersionsAreNotRings) {
  std::string tiny = shm_name("tiny");
  SharedMemory small = SharedMemory::create(tiny, 8);
  EXPECT_THROW(Ring::attach(tiny, {1, 1}), BadRing) << "B7.13: 8 bytes cannot hold a header";
  unlink_shared_memory(tiny);
  Ring ring = make({2, 8});
  ring.header().version = kRingVersion + 1;
  EXPECT_THROW(Ring::attach(ring_name_, {2, 8}), BadRing) << "B7.13: another layout version";
  ring.header().version = kRingVersion;
  EXPECT_NO_THROW(Ring::attach(ring_name_, {2, 8})) << "B7.13";
}

TEST_F(RingHidden, B7_14_EveryWaitingProducerGetsItsTurn) {
  Ring ring = make({1, 8});
  ring.push(to_bytes("0"));
  std::vector<ChildProcess> producers;
  for (int p = 1; p <= 3; ++p) {
    producers.emplace_back("producer " + std::to_string(p),
                           [&, p] { ring.push(to_bytes(std::to_string(p))); });
  }
  for (auto& producer : producers) {
    ASSERT_TRUE(blocked_in(producer, {"futex"})) << "B7.14: the ring is full";
  }
  std::string got;
  for (int n = 0; n < 4; ++n) {
    got += to_string(ring.pop());
  }
  for (auto& producer : producers) {
    EXPECT_CHILD_OK(producer) << "B7.14";
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, "0123") << "B7.14: each message once";
}

TEST_F(RingHidden, B7_15_AWaitingProducerDoesNotHoldTheLock) {
  Ring ring = make({1, 8});
  ring.push(to_bytes("first"));
  ChildProcess producer("producer", [&] { ring.push(to_bytes("second")); });
  ASSERT_TRUE(blocked_in(producer, {"futex"}));
  ChildProcess consumer("consumer", [&] {
    CHILD_REQUIRE(to_string(ring.pop()) == "first", "B7.15: expected \"first\"");
  });
  EXPECT_CHILD_OK(consumer) << "B7.15: a producer waiting for a free slot must not hold the lock "
                               "(take the slot semaphore first, then the lock)";
  EXPECT_CHILD_OK(producer);
  EXPECT_EQ(to_string(ring.pop()), "second");
}

TEST_F(RingHidden, B7_15_TheSlotIsFreedOnlyAfterItWasCopied) {
  Ring ring = make({1, 16});
  ring.push(to_bytes("precious"));
  overwrite_after_free = &ring;
  auto got = ring.pop();
  overwrite_after_free = nullptr;
  EXPECT_EQ(to_string(got), "precious")
      << "B7.15: a producer overwrote the slot as soon as its free unit was posted: pop must "
         "copy the message out before it posts free_slots";
}

TEST_F(RingHidden, B7_17_ATimedPopWaitsForAMessage) {
  Ring ring = make({2, 8});
  ChildProcess consumer("consumer", [&] {
    auto got = ring.pop_until(realtime_in(60s));
    CHILD_REQUIRE(got && to_string(*got) == "late", "B7.17: expected \"late\" before the deadline");
  });
  ASSERT_TRUE(blocked_in(consumer, {"futex"})) << "B7.17: a deadline a minute away must wait";
  ring.push(to_bytes("late"));
  EXPECT_CHILD_OK(consumer);
}

TEST_F(RingHidden, B7_17_ATimedPushWaitsForRoom) {
  Ring ring = make({1, 8});
  ring.push(to_bytes("a"));
  ChildProcess producer("producer", [&] {
    CHILD_REQUIRE(ring.push_until(to_bytes("b"), realtime_in(60s)), "B7.17: expected room in time");
  });
  ASSERT_TRUE(blocked_in(producer, {"futex"})) << "B7.17: a deadline a minute away must wait";
  EXPECT_EQ(to_string(ring.pop()), "a");
  EXPECT_CHILD_OK(producer);
  EXPECT_EQ(to_string(ring.pop()), "b");
}

TEST_F(RingHidden, B7_17_TryPopOnAnEmptyRingWithWaitingConsumers) {
  Ring ring = make({1, 8});
  ChildProcess waiting("waiting consumer", [&] { ring.pop(); });
  ASSERT_TRUE(blocked_in(waiting, {"futex"}));
  ChildProcess trying("try_pop", [&] {
    CHILD_REQUIRE(!ring.try_pop().has_value(), "B7.17: empty: std::nullopt");
  });
  EXPECT_TRUE(finishes_without_blocking_in(trying, {"futex"}, "B7.17: try_pop must never wait"));
  ring.push(to_bytes("x"));
  EXPECT_CHILD_OK(waiting);
}

TEST_F(RingHidden, B7_18_ManyProducersManyConsumersEveryMessageExactlyOnce) {
  constexpr std::uint32_t kProducers = 3, kConsumers = 3, kEach = 400;
  Ring ring = make({2, 48});
  std::string tally_name = shm_name("tally");
  SharedMemory tally = SharedMemory::create(tally_name, kProducers * kEach * sizeof(std::uint32_t));
  unlink_shared_memory(tally_name);
  auto* counts = reinterpret_cast<std::uint32_t*>(tally.data());
  std::vector<ChildProcess> children;
  for (std::uint32_t p = 0; p < kProducers; ++p) {
    children.emplace_back("producer " + std::to_string(p), [&, p] {
      Ring mine = Ring::attach(ring_name_, {2, 48});
      for (std::uint32_t i = 0; i < kEach; ++i) {
        mine.push(framed(p, i));
      }
    });
  }
  for (std::uint32_t c = 0; c < kConsumers; ++c) {
    children.emplace_back("consumer " + std::to_string(c), [&] {
      Ring mine = Ring::attach(ring_name_, {2, 48});
      for (std::uint32_t n = 0; n < kProducers * kEach / kConsumers; ++n) {
        auto got = mine.pop();
        std::uint32_t p = 0, i = 0;
        CHILD_REQUIRE(unframe(got, p, i) && p < kProducers && i < kEach,
                      "B7.18: a message arrived damaged: " + testing::show(got));
        std::atomic_ref<std::uint32_t>(counts[p * kEach + i]).fetch_add(1);
      }
    });
  }
  for (auto& child : children) {
    EXPECT_CHILD_OK(child) << "B7.18";
  }
  int wrong = 0;
  for (std::uint32_t k = 0; k < kProducers * kEach; ++k) {
    if (counts[k] != 1 && ++wrong <= 5) {
      ADD_FAILURE() << "B7.18: message " << k % kEach << " of producer " << k / kEach
                    << " arrived " << counts[k] << " times; expected exactly once";
    }
  }
  EXPECT_FALSE(ring.try_pop().has_value()) << "B7.18: nothing more than what was sent";
}

TEST_F(RingHidden, B7_19_TwoDeathsInARowAndTheRingGoesOn) {
  // Capacity 3: "kept" and the first victim's slot leave one for the second.
  Ring ring = make({3, 16});
  ring.push(to_bytes("kept"));
  for (int round = 0; round < 2; ++round) {
    ChildProcess victim("victim", [&] {
      set_push_hook([] { ::raise(SIGKILL); });
      ring.push(to_bytes("lost"));
    });
    auto result = victim.wait();
    ASSERT_TRUE(result.signal == SIGKILL && !result.timed_out)
        << "B7.19: victim " << round + 1 << " must die in run_push_hook(); " << result.describe();
  }
  ChildProcess producer("producer", [&] { ring.push(to_bytes("next")); });
  EXPECT_CHILD_OK(producer) << "B7.19: after a death under the lock, pushes go on";
  EXPECT_EQ(to_string(ring.try_pop().value_or(to_bytes("nothing"))), "kept")
      << "B7.19: nothing committed is lost";
  EXPECT_EQ(to_string(ring.try_pop().value_or(to_bytes("nothing"))), "next") << "B7.19";
  EXPECT_FALSE(ring.try_pop().has_value()) << "B7.19: a half-written message is never delivered";
  EXPECT_EQ(value(ring.header().free_slots), 3) << "B7.19: the dead producers' slots came back";
  EXPECT_EQ(ring.header().pending, Pending::none) << "B7.19: the repair clears pending";
}

TEST_F(RingHidden, B7_19_AConsumerWaitingDuringTheDeathIsServed) {
  Ring ring = make({2, 16});
  ChildProcess consumer("consumer", [&] {
    CHILD_REQUIRE(to_string(ring.pop()) == "after", "B7.19: expected \"after\"");
  });
  ASSERT_TRUE(blocked_in(consumer, {"futex"}));
  ChildProcess victim("victim", [&] {
    set_push_hook([] { ::raise(SIGKILL); });
    ring.push(to_bytes("lost"));
  });
  auto result = victim.wait();
  ASSERT_TRUE(result.signal == SIGKILL && !result.timed_out) << "B7.19: " << result.describe();
  ChildProcess producer("producer", [&] { ring.push(to_bytes("after")); });
  EXPECT_CHILD_OK(producer) << "B7.19: the next push repairs the ring and goes on";
  EXPECT_CHILD_OK(consumer) << "B7.19: the waiting consumer gets the next committed message";
}

TEST_F(RingHidden, B7_20_MoveAssignmentUnlinksTheOldName) {
  Ring first = make({1, 8});
  std::string first_name = ring_name_;
  Ring second = make({1, 8});
  first = std::move(second);
  EXPECT_FALSE(exists(file_of_shm(first_name)))
      << "B7.20: the ring replaced by a move assignment was an owner: its name goes";
  EXPECT_TRUE(exists(file_of_shm(ring_name_))) << "B7.20: the moved ring keeps its name";
}

TEST_F(RingHidden, B7_20_AnAttachedRingNeverUnlinks) {
  Ring ring = make({1, 8});
  ChildProcess child("attached", [&] { Ring mine = Ring::attach(ring_name_, {1, 8}); });
  EXPECT_CHILD_OK(child);
  EXPECT_TRUE(exists(file_of_shm(ring_name_))) << "B7.20: only the owner removes the name";
}

// The negative control: its honest outcome is a failure (see the rubric's "controls").
TEST_F(RingHidden, B7_14_APushOnAFullRingLeavesItFull) {
  auto marker = scratch_path("after-b7-14-");
  EXPECT_EQ(::access(marker.c_str(), F_OK), 0) << "B7.14: expected a full ring stays full";
}

}  // namespace
}  // namespace ipclab::shm_sem::hidden
