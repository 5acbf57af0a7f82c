// Lab 07 public tests: the ring buffer (B7.12 – B7.20).
#include <signal.h>

#include <cstring>
#include <map>

#include "shm_fixture.hpp"

namespace ipclab::shm_sem {
namespace {

using namespace std::chrono_literals;
using testing::blocked_in;
using testing::ChildProcess;
using testing::finishes_without_blocking_in;

class RingTest : public ShmSem {
 protected:
  Ring make(Geometry geometry) { return Ring::create(name_ = shm_name("ring"), geometry); }
  std::string name_;
};

TEST_F(RingTest, B7_12_MessagesKeepTheirLengthAndBytes) {
  Ring ring = make({4, 64});
  EXPECT_EQ(ring.geometry(), (Geometry{4, 64})) << "B7.12";
  for (std::size_t size : {0u, 1u, 63u, 64u}) {
    auto sent = testing::pattern(size, static_cast<std::uint32_t>(size));
    ring.push(sent);
    auto got = ring.pop();
    EXPECT_EQ(got, sent) << "B7.12: " << testing::first_difference(sent, got);
  }
  EXPECT_THROW(Ring::create(shm_name("bad"), {0, 64}), std::invalid_argument) << "B7.12: capacity 0";
  EXPECT_THROW(Ring::create(shm_name("bad"), {4, 0}), std::invalid_argument) << "B7.12: slot_size 0";
}

TEST_F(RingTest, B7_13_AttachChecksWhatItAttachesTo) {
  Ring ring = make({4, 64});
  EXPECT_THROW(Ring::attach(name_, {8, 64}), BadRing) << "B7.13: another capacity";
  EXPECT_THROW(Ring::attach(name_, {4, 32}), BadRing) << "B7.13: another slot size";
  std::string other = shm_name("not-a-ring");
  SharedMemory zeros = SharedMemory::create(other, 65536);
  EXPECT_THROW(Ring::attach(other, {4, 64}), BadRing) << "B7.13: no magic number: not a ring";
  unlink_shared_memory(other);
  Ring attached = Ring::attach(name_, {4, 64});
  attached.push(to_bytes("through the other mapping"));
  EXPECT_EQ(to_string(ring.pop()), "through the other mapping") << "B7.13";
}

TEST_F(RingTest, B7_14_PushWaitsWhileFullAndPopWhileEmpty) {
  Ring ring = make({2, 16});
  ring.push(to_bytes("a"));
  ring.push(to_bytes("b"));
  ChildProcess producer("producer", [&] { ring.push(to_bytes("c")); });
  ASSERT_TRUE(blocked_in(producer, {"futex"})) << "B7.14: a full ring: push sleeps in a futex wait";
  EXPECT_EQ(to_string(ring.pop()), "a");
  EXPECT_CHILD_OK(producer) << "B7.14: a pop frees a slot and wakes the producer";
  EXPECT_EQ(to_string(ring.pop()), "b");
  EXPECT_EQ(to_string(ring.pop()), "c");
  ChildProcess consumer("consumer", [&] {
    CHILD_REQUIRE(to_string(ring.pop()) == "d", "B7.14: expected \"d\"");
  });
  ASSERT_TRUE(blocked_in(consumer, {"futex"})) << "B7.14: an empty ring: pop sleeps in a futex wait";
  ring.push(to_bytes("d"));
  EXPECT_CHILD_OK(consumer) << "B7.14: a push wakes the consumer";
}

TEST_F(RingTest, B7_15_AWaitingConsumerDoesNotHoldTheLock) {
  Ring ring = make({2, 16});
  ChildProcess consumer("consumer", [&] {
    CHILD_REQUIRE(to_string(ring.pop()) == "x", "B7.15: expected \"x\"");
  });
  ASSERT_TRUE(blocked_in(consumer, {"futex"}));
  ChildProcess producer("producer", [&] { ring.push(to_bytes("x")); });
  EXPECT_CHILD_OK(producer)
      << "B7.15: a consumer waiting for a message must not hold the lock (slot semaphore first)";
  EXPECT_CHILD_OK(consumer);
}

TEST_F(RingTest, B7_16_AMessageLongerThanASlotIsRefused) {
  Ring ring = make({2, 8});
  EXPECT_THROW(ring.push(testing::pattern(9, 1)), std::length_error) << "B7.16";
  EXPECT_THROW(ring.try_push(testing::pattern(9, 1)), std::length_error) << "B7.16";
  EXPECT_FALSE(ring.try_pop().has_value()) << "B7.16: nothing was added";
  EXPECT_TRUE(ring.try_push(testing::pattern(8, 1))) << "B7.16: and no slot was lost";
  EXPECT_TRUE(ring.try_push(testing::pattern(8, 2))) << "B7.16: and no slot was lost";
}

TEST_F(RingTest, B7_17_TryAndTimedCallsAnswerInsteadOfWaiting) {
  Ring ring = make({1, 8});
  ChildProcess empty("try_pop", [&] {
    CHILD_REQUIRE(!ring.try_pop().has_value(), "B7.17: try_pop on an empty ring is std::nullopt");
  });
  EXPECT_TRUE(finishes_without_blocking_in(empty, {"futex"}, "B7.17: try_pop must never wait"));
  EXPECT_FALSE(ring.pop_until(realtime_in(10ms)).has_value()) << "B7.17: timed out: std::nullopt";
  EXPECT_TRUE(ring.try_push(to_bytes("1")));
  ChildProcess full("try_push", [&] {
    CHILD_REQUIRE(!ring.try_push(to_bytes("2")), "B7.17: try_push on a full ring is false");
  });
  EXPECT_TRUE(finishes_without_blocking_in(full, {"futex"}, "B7.17: try_push must never wait"));
  EXPECT_FALSE(ring.push_until(to_bytes("2"), realtime_in(10ms))) << "B7.17: timed out: false";
  EXPECT_EQ(to_string(ring.pop_until(realtime_in(-1s)).value_or(to_bytes("?"))), "1")
      << "B7.17: a message that is there is taken even after the deadline";
  EXPECT_TRUE(ring.push_until(to_bytes("3"), realtime_in(-1s)))
      << "B7.17: a free slot is taken even after the deadline";
}

TEST_F(RingTest, B7_18_ManyProducersOneConsumerEveryMessageOnceInOrder) {
  constexpr std::uint32_t kProducers = 3, kEach = 300;
  Ring ring = make({4, 40});
  std::vector<ChildProcess> producers;
  for (std::uint32_t p = 0; p < kProducers; ++p) {
    producers.emplace_back("producer " + std::to_string(p), [&, p] {
      Ring mine = Ring::attach(name_, {4, 40});
      for (std::uint32_t i = 0; i < kEach; ++i) {
        auto body = message(p, i);
        std::vector<std::byte> framed(8);
        std::memcpy(framed.data(), &p, 4);
        std::memcpy(framed.data() + 4, &i, 4);
        framed.insert(framed.end(), body.begin(), body.end());
        mine.push(framed);
      }
    });
  }
  std::map<std::uint32_t, std::uint32_t> next;
  for (std::uint32_t n = 0; n < kProducers * kEach; ++n) {
    auto got = ring.pop();
    ASSERT_GE(got.size(), 8u) << "B7.18: message " << n << " lost its header";
    std::uint32_t p = 0, i = 0;
    std::memcpy(&p, got.data(), 4);
    std::memcpy(&i, got.data() + 4, 4);
    ASSERT_LT(p, kProducers) << "B7.18: a message from no producer";
    ASSERT_EQ(i, next[p]) << "B7.18: producer " << p << "'s messages must arrive once, in order";
    ++next[p];
    std::vector<std::byte> body(got.begin() + 8, got.end());
    ASSERT_EQ(body, message(p, i)) << "B7.18: message " << i << " of producer " << p << ": "
                                   << testing::first_difference(message(p, i), body);
  }
  for (auto& producer : producers) {
    EXPECT_CHILD_OK(producer);
  }
  EXPECT_FALSE(ring.try_pop().has_value()) << "B7.18: nothing more than what was sent";
}

TEST_F(RingTest, B7_19_AProducerKilledHoldingTheLockDoesNotStopTheRing) {
  Ring ring = make({3, 16});
  ring.push(to_bytes("committed"));
  ChildProcess victim("victim", [&] {
    set_push_hook([] { ::raise(SIGKILL); });  // dies inside the critical section
    ring.push(to_bytes("never"));
  });
  auto result = victim.wait();
  ASSERT_TRUE(result.signal == SIGKILL && !result.timed_out)
      << "B7.19: push must call run_push_hook() under the lock; " << result.describe();
  EXPECT_EQ(to_string(ring.try_pop().value_or(to_bytes("nothing"))), "committed")
      << "B7.19: a committed message survives";
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(ring.try_push(to_bytes("after"))) << "B7.19: after the repair all 3 slots are free";
  }
  EXPECT_FALSE(ring.try_push(to_bytes("after")));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(to_string(ring.try_pop().value_or(to_bytes("?"))), "after")
        << "B7.19: the half-written message is dropped, the ring goes on";
  }
}

TEST_F(RingTest, B7_20_TheOwnerRemovesTheName) {
  {
    Ring ring = make({2, 8});
    { Ring attached = Ring::attach(name_, {2, 8}); }
    EXPECT_TRUE(exists(shm_file(name_))) << "B7.20: a ring that only attached leaves the name";
    Ring moved = std::move(ring);
  }
  EXPECT_FALSE(exists(shm_file(name_))) << "B7.20: the owner's destructor unlinks the name";
}

}  // namespace
}  // namespace ipclab::shm_sem
