// Lab 03 hidden tests: sending and receiving (B3.10 – B3.15), at the edges:
// every length from empty to mq_msgsize, NULs anywhere, buffers of the wrong
// size, every priority up to the maximum, a model of the delivery order over many
// sends and receives, and several producer processes at once.
#include <dlfcn.h>
#include <mqueue.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "hidden_support.hpp"
#include "ipclab/bytes.hpp"
#include "ipclab/mqueue.hpp"
#include "ipclab/testing.hpp"

// ---- what the code under test asks of mq_receive --------------------------------
//
// A receive buffer of a fixed 8192 bytes works for every queue an unprivileged
// process may create (msgsize_max is 8192 by default), so no behaviour of
// receive() alone can tell it from a buffer of mq_msgsize bytes. The test binary
// therefore defines mq_receive and mq_timedreceive itself: the lab library,
// linked into it, calls these, which note the buffer size and forward the call
// to the C library unchanged.
namespace {

std::atomic<int> receive_count{0};
std::atomic<std::size_t> last_receive_buffer{0};

void note_receive(std::size_t buffer_size) {
  last_receive_buffer = buffer_size;
  ++receive_count;
}

/// The C library's definition of `name`, the one this binary's definition hides.
template <typename Function>
Function next_definition(const char* name) {
  void* symbol = ::dlsym(RTLD_NEXT, name);
  Function function = nullptr;
  static_assert(sizeof function == sizeof symbol);
  std::memcpy(&function, &symbol, sizeof function);
  return function;
}

}  // namespace

extern "C" ssize_t mq_receive(mqd_t mqdes, char* msg_ptr, size_t msg_len, unsigned int* msg_prio) {
  note_receive(msg_len);
  using Function = ssize_t (*)(mqd_t, char*, size_t, unsigned int*);
  static const Function real = next_definition<Function>("mq_receive");
  if (real == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  return real(mqdes, msg_ptr, msg_len, msg_prio);
}

extern "C" ssize_t mq_timedreceive(mqd_t mqdes, char* __restrict msg_ptr, size_t msg_len,
                                   unsigned int* __restrict msg_prio,
                                   const struct timespec* __restrict abs_timeout) {
  note_receive(msg_len);
  using Function = ssize_t (*)(mqd_t, char*, size_t, unsigned int*, const struct timespec*);
  static const Function real = next_definition<Function>("mq_timedreceive");
  if (real == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  return real(mqdes, msg_ptr, msg_len, msg_prio, abs_timeout);
}

namespace ipclab::mq {

void hidden::reset_receive_calls() {
  receive_count = 0;
  last_receive_buffer = 0;
}

hidden::ReceiveCalls hidden::receive_calls() { return {receive_count, last_receive_buffer}; }

namespace {

using hidden::describe;
using hidden::first_difference;
using hidden::pattern;
using hidden::Peek;
using hidden::Sequence;
using testing::ChildProcess;
using testing::fails_with;

/// The largest mq_msgsize an unprivileged process may use, at most 8192.
long usual_largest_message() { return std::min(hidden::msgsize_max(), 8192L); }

/// "priority 3 \"text\"" for each message, in order.
struct Sent {
  unsigned priority;
  std::string text;
};
std::vector<std::string> in_delivery_order(std::vector<Sent> sent) {
  std::stable_sort(sent.begin(), sent.end(),
                   [](const Sent& a, const Sent& b) { return a.priority > b.priority; });
  std::vector<std::string> order;
  for (const Sent& message : sent) {
    order.push_back(describe(message.priority, to_bytes(message.text)));
  }
  return order;
}

/// "priority 1 \"a\", priority 0 \"b\"" for a failure message.
std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) {
    text += (text.empty() ? "" : ", ") + item;
  }
  return text;
}

// ---- sizes (B3.10 – B3.12) ---------------------------------------------------------

TEST_F(MqHidden, B3_10_UpToMsgsizeBytesFitAndOneMoreIsEmsgsizeAndQueuesNothing) {
  for (long size : {1L, 64L, 1000L, usual_largest_message()}) {
    Queue queue = make(Limits{2, size});
    Peek peek(name_);
    const auto size_bytes = static_cast<std::size_t>(size);
    const auto full = pattern(size_bytes, 7);
    queue.send(full, 1);
    auto got = peek.take();
    ASSERT_TRUE(got.has_value()) << "B3.10: a message of exactly mq_msgsize (" << size
                                 << ") bytes must be sent";
    EXPECT_TRUE(got->payload == full) << "B3.10: " << first_difference(full, got->payload);
    for (std::size_t extra : {std::size_t{1}, size_bytes + 5}) {
      EXPECT_TRUE(fails_with("mq_send", "EMSGSIZE", [&] {
        queue.send(pattern(size_bytes + extra, 3));
      })) << "B3.10: "
          << size_bytes + extra << " bytes into a queue of mq_msgsize " << size;
    }
    EXPECT_EQ(peek.count(), 0) << "B3.10: a refused message must not be queued";
  }
}

TEST_F(MqHidden, B3_11_ReceiveGivesMqReceiveABufferOfExactlyMqMsgsize) {
  for (long size : {1L, 65L, 100L, 4097L, usual_largest_message()}) {
    Queue queue = make(Limits{1, size});
    Peek peek(name_);
    peek.send("x", 2);
    hidden::reset_receive_calls();
    Received got = queue.receive();
    const hidden::ReceiveCalls calls = hidden::receive_calls();
    ASSERT_GE(calls.count, 1) << "B3.11: receive() must call mq_receive (or mq_timedreceive)";
    EXPECT_EQ(calls.count, 1) << "B3.11: receive() must call mq_receive once, with a buffer of "
                                 "mq_msgsize bytes: no guess first, no retry";
    EXPECT_EQ(calls.last_buffer, static_cast<std::size_t>(size))
        << "B3.11: on a queue of mq_msgsize " << size
        << ", receive() must give mq_receive a buffer of exactly mq_msgsize bytes, read from "
           "mq_getattr; it gave "
        << calls.last_buffer
        << " bytes. sizeof, a fixed size or a guess at the message's length fit only some queues";
    EXPECT_EQ(describe(got), "priority 2 \"x\"") << "B3.11: mq_msgsize " << size;
  }
}

TEST_F(MqHidden, B3_11_ReceiveWorksOnTheLargestQueueThisProcessMayCreate) {
  // Root may go beyond msgsize_max (CAP_SYS_RESOURCE): then the queue is larger
  // than any fixed buffer a wrapper might use. Otherwise msgsize_max itself.
  const std::string name = cleaned_name("largest");
  long size = 100003;
  try {
    hidden::raw_create(name, 1, size);
  } catch (const SystemError& error) {
    ASSERT_EQ(error.error_number(), EINVAL) << error.what();
    size = hidden::msgsize_max();
    ASSERT_GT(size, 0) << "cannot read /proc/sys/fs/mqueue/msgsize_max";
    hidden::raw_create(name, 1, size);
  }
  SCOPED_TRACE("a queue of mq_msgsize " + std::to_string(size));
  Queue queue = Queue::open(name, Access::read_write);
  hidden::set_nonblocking(queue.native(), true);
  Peek peek(name);
  const auto full = pattern(static_cast<std::size_t>(size), 11);
  peek.send(full, 9);
  Received got;
  try {
    got = queue.receive();
  } catch (const SystemError& error) {
    FAIL() << "B3.11: receive() on a queue of mq_msgsize " << size << " failed: " << error.what()
           << ". The buffer must be mq_msgsize bytes, read from mq_getattr";
  }
  EXPECT_EQ(got.priority, 9u) << "B3.11";
  EXPECT_TRUE(got.payload == full) << "B3.11: " << first_difference(full, got.payload);
  peek.send("short", 1);
  EXPECT_EQ(describe(queue.receive()), "priority 1 \"short\"")
      << "B3.11: a short message from a large queue";
  queue.send(full, 4);
  auto sent = peek.take();
  ASSERT_TRUE(sent.has_value()) << "B3.10: a message of mq_msgsize bytes must be sent";
  EXPECT_TRUE(sent->payload == full) << "B3.10: " << first_difference(full, sent->payload);
}

TEST_F(MqHidden, B3_11_ReceiveIntoRefusesSmallerBuffersAndReportsLengthAndPriority) {
  Queue queue = make(Limits{2, 64});
  Peek peek(name_);
  peek.send("stays", 4);
  for (std::size_t size : {std::size_t{1}, std::size_t{5}, std::size_t{32}, std::size_t{63}}) {
    std::vector<std::byte> small(size);
    unsigned priority = 777;
    EXPECT_TRUE(fails_with("mq_receive", "EMSGSIZE", [&] { queue.receive_into(small, priority); }))
        << "B3.11: a buffer of " << size << " bytes for a queue of mq_msgsize 64";
    EXPECT_EQ(peek.count(), 1) << "B3.11: after the refused receive the message must stay queued";
  }
  for (std::size_t size : {std::size_t{64}, std::size_t{300}}) {
    std::vector<std::byte> buffer(size, std::byte{0x5a});
    unsigned priority = 777;
    std::size_t length = queue.receive_into(buffer, priority);
    EXPECT_EQ(length, 5u) << "B3.11: receive_into returns the length of the message, not of the "
                             "buffer ("
                          << size << " bytes)";
    EXPECT_EQ(priority, 4u) << "B3.11: receive_into must store the message's priority";
    EXPECT_EQ(to_string(std::span(buffer).first(std::min<std::size_t>(length, 5))), "stays")
        << "B3.11: receive_into fills the caller's buffer";
    peek.send("stays", 4);
  }
  ASSERT_EQ(peek.take_all(), "priority 4 \"stays\"");
  peek.send("zero", 0);
  std::vector<std::byte> buffer(64);
  unsigned priority = 777;
  EXPECT_EQ(queue.receive_into(buffer, priority), 4u) << "B3.11";
  EXPECT_EQ(priority, 0u) << "B3.11: priority 0 must be stored too, not left as it was";
}

TEST_F(MqHidden, B3_12_EveryLengthFromZeroToMsgsizeSurvivesBothWays) {
  std::vector<std::size_t> large_lengths = {0, 1, 2, 3, 7, 8, 9, 63, 64, 65, 255, 256, 257, 1023,
                                            1024, 1025, 4095, 4096, 4097};
  const auto largest = static_cast<std::size_t>(usual_largest_message());
  large_lengths.erase(std::remove_if(large_lengths.begin(), large_lengths.end(),
                                     [&](std::size_t n) { return n >= largest - 1; }),
                      large_lengths.end());
  large_lengths.push_back(largest - 1);
  large_lengths.push_back(largest);
  for (long size : {1L, 2L, 3L, 64L, 100L, static_cast<long>(largest)}) {
    Queue queue = make(Limits{2, size});
    Peek peek(name_);
    std::vector<std::size_t> lengths;
    if (size == static_cast<long>(largest)) {
      lengths = large_lengths;
    } else {
      for (std::size_t n = 0; n <= static_cast<std::size_t>(size); ++n) {
        lengths.push_back(n);
      }
    }
    SCOPED_TRACE("a queue of mq_msgsize " + std::to_string(size));
    for (std::size_t length : lengths) {
      const auto payload = pattern(length, static_cast<std::uint32_t>(length * 31 + 5));
      const auto priority = static_cast<unsigned>(length % 5);
      queue.send(payload, priority);
      auto sent = peek.take();
      ASSERT_TRUE(sent.has_value()) << "B3.12: send of " << length << " bytes queued nothing";
      ASSERT_TRUE(sent->payload == payload)
          << "B3.12: send of " << length << " bytes: " << first_difference(payload, sent->payload);
      ASSERT_EQ(sent->priority, priority) << "B3.13: send of " << length << " bytes";

      peek.send(payload, priority + 1);
      Received got = queue.receive();
      ASSERT_TRUE(got.payload == payload)
          << "B3.12: receive of " << length << " bytes: " << first_difference(payload, got.payload);
      ASSERT_EQ(got.priority, priority + 1) << "B3.13: receive of " << length << " bytes";

      peek.send(payload, priority + 2);
      std::vector<std::byte> buffer(static_cast<std::size_t>(size) + 3);
      unsigned got_priority = 0;
      std::size_t got_length = queue.receive_into(buffer, got_priority);
      ASSERT_EQ(got_length, length) << "B3.12: receive_into of " << length << " bytes";
      ASSERT_TRUE(std::equal(payload.begin(), payload.end(), buffer.begin()))
          << "B3.12: receive_into of " << length << " bytes: the bytes differ";
      ASSERT_EQ(got_priority, priority + 2) << "B3.13: receive_into of " << length << " bytes";
    }
  }
}

TEST_F(MqHidden, B3_12_NulBytesAtTheStartInTheMiddleAndAtTheEndAreData) {
  Queue queue = make(Limits{4, 16});
  Peek peek(name_);
  const std::vector<std::string> payloads = {
      std::string("\0", 1),     std::string("\0\0\0\0", 4), std::string("\0abc", 4),
      std::string("ab\0cd", 5), std::string("abc\0", 4),    std::string("\xff\0\xff", 3)};
  for (const auto& text : payloads) {
    const auto bytes = to_bytes(text);
    queue.send(bytes, 3);
    auto sent = peek.take();
    ASSERT_TRUE(sent.has_value()) << "B3.12: send of " << hidden::show(bytes) << " queued nothing";
    EXPECT_EQ(describe(*sent), describe(3, bytes))
        << "B3.12: send must pass every byte, NULs too (no strlen, no C strings)";
    peek.send(bytes, 5);
    EXPECT_EQ(describe(queue.receive()), describe(5, bytes))
        << "B3.12: receive must return every byte mq_receive reported, NULs too";
  }
}

// ---- priorities (B3.13, B3.14) -------------------------------------------------------

TEST_F(MqHidden, B3_13_SendPassesThePriorityOn) {
  Queue queue = make(Limits{10, 16});
  Peek peek(name_);
  const unsigned top = max_priority();
  std::vector<Sent> sent;
  const unsigned priorities[] = {0, 9, 1, top, 300, 9, 0, 2, top, 1};
  for (unsigned i = 0; i < 10; ++i) {
    sent.push_back({priorities[i], "m" + std::to_string(i)});
    queue.send(to_bytes(sent.back().text), priorities[i]);
  }
  std::vector<std::string> got;
  while (auto message = peek.take()) {
    got.push_back(describe(*message));
  }
  EXPECT_EQ(got, in_delivery_order(sent))
      << "B3.13: send must hand each message's priority to mq_send (the test receives with "
         "mq_receive itself)";
}

TEST_F(MqHidden, B3_13_ReceiveReportsThePriority) {
  Queue queue = make(Limits{10, 16});
  Peek peek(name_);
  const unsigned top = max_priority();
  std::vector<Sent> sent;
  const unsigned priorities[] = {3, 0, top, 1, 0, 70, 3, top - 1, 1, 2};
  for (unsigned i = 0; i < 10; ++i) {
    sent.push_back({priorities[i], "m" + std::to_string(i)});
    peek.send(sent.back().text, priorities[i]);
  }
  std::vector<std::string> got;
  for (int i = 0; i < 10; ++i) {
    got.push_back(describe(queue.receive()));
  }
  EXPECT_EQ(got, in_delivery_order(sent))
      << "B3.13: receive must return the priority mq_receive stored (the test sends with "
         "mq_send itself)";
}

TEST_F(MqHidden, B3_13_FifoAmongEqualPrioritiesAcrossManyLevels) {
  Queue queue = make(Limits{10, 16});
  const unsigned top = max_priority();
  const unsigned levels[] = {0, 1, 2, 7, top};
  Sequence sequence(13);
  for (int round = 1; round <= 30; ++round) {
    std::vector<Sent> sent;
    for (int i = 0; i < 10; ++i) {
      unsigned priority = levels[sequence.below(5)];
      sent.push_back({priority, std::to_string(round) + "." + std::to_string(i)});
      queue.send(to_bytes(sent.back().text), priority);
    }
    std::vector<std::string> got;
    for (int i = 0; i < 10; ++i) {
      got.push_back(describe(queue.receive()));
    }
    std::vector<std::string> sent_order;
    for (const Sent& message : sent) {
      sent_order.push_back(describe(message.priority, to_bytes(message.text)));
    }
    ASSERT_EQ(got, in_delivery_order(sent))
        << "B3.13: round " << round
        << ": highest priority first, and the oldest first among equal priorities. Sent in "
           "this order: "
        << joined(sent_order);
  }
}

TEST_F(MqHidden, B3_13_DeliveryOrderMatchesAModelOverManyRandomSendsAndReceives) {
  constexpr long kCapacity = 10;
  Queue queue = make(Limits{kCapacity, 16});
  const unsigned top = max_priority();
  struct Entry {
    unsigned priority;
    int number;
  };
  std::vector<Entry> model;  // what the queue must hold, in sending order
  Sequence sequence(2024);
  int sent = 0;
  for (int step = 1; step <= 1000; ++step) {
    const bool send = model.empty() ||
                      (static_cast<long>(model.size()) < kCapacity && sequence.below(100) < 55);
    if (send) {
      unsigned priority = sequence.below(4) == 0 ? sequence.below(top + 1) : sequence.below(4);
      model.push_back({priority, ++sent});
      queue.send(to_bytes("#" + std::to_string(sent)), priority);
      continue;
    }
    auto next = model.begin();  // the oldest of the highest priority
    for (auto it = model.begin(); it != model.end(); ++it) {
      if (it->priority > next->priority) {
        next = it;
      }
    }
    const std::string expected = describe(next->priority, to_bytes("#" + std::to_string(next->number)));
    std::string queued;
    for (const Entry& entry : model) {
      queued += (queued.empty() ? "" : ", ") + describe(entry.priority, to_bytes("#" + std::to_string(entry.number)));
    }
    model.erase(next);
    ASSERT_EQ(describe(queue.receive()), expected)
        << "B3.13: step " << step << ": the queue held, oldest first: " << queued
        << "; the next message must be the oldest of the highest priority";
  }
}

TEST_F(MqHidden, B3_14_TheHighestPrioritiesWorkAndAnyAboveTheMaximumIsEinval) {
  Queue queue = make(Limits{8, 16});
  Peek peek(name_);
  const unsigned top = max_priority();
  ASSERT_EQ(top, static_cast<unsigned>(::sysconf(_SC_MQ_PRIO_MAX) - 1))
      << "B3.14: max_priority() is sysconf(_SC_MQ_PRIO_MAX) - 1";
  std::vector<Sent> sent = {{255, "255"},         {top - 1, "top-1"}, {256, "256"},
                            {top, "top"},         {1, "1"},           {65, "65"},
                            {top, "top again"},   {0, "0"}};
  for (const Sent& message : sent) {
    queue.send(to_bytes(message.text), message.priority);
  }
  std::vector<std::string> got;
  while (auto message = peek.take()) {
    got.push_back(describe(*message));
  }
  EXPECT_EQ(got, in_delivery_order(sent))
      << "B3.14: priorities up to max_priority() keep every bit (no narrowing)";
  for (unsigned above : {top + 1, top + 2, 2 * top + 2, UINT_MAX}) {
    EXPECT_TRUE(fails_with("mq_send", "EINVAL", [&] { queue.send(to_bytes("x"), above); }))
        << "B3.14: priority " << above << " is above max_priority() " << top
        << ": mq_send refuses it; never clamp or wrap it";
  }
  EXPECT_EQ(peek.count(), 0) << "B3.14: a refused message must not be queued";
}

// ---- several processes (B3.15) ----------------------------------------------------

TEST_F(MqHidden, B3_15_SeveralProducersAtOnceLoseNothingAndKeepTheirOrder) {
  // A small queue, so that producers fill it and wait in mq_send until the
  // consumer makes room: their messages interleave.
  Queue queue = make(Limits{4, 32}, Access::read_only, /*may_wait=*/true);
  constexpr int kProducers = 3;
  constexpr int kEach = 40;
  testing::Event go("start sending");
  std::vector<ChildProcess> producers;
  producers.reserve(kProducers);
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back("producer " + std::to_string(p), [&, p] {
      Queue out = Queue::open(name_, Access::write_only);
      go.wait_or_fail();
      for (int n = 0; n < kEach; ++n) {
        unsigned priority = static_cast<unsigned>(n * 7 + p) % 3;
        out.send(to_bytes(std::to_string(p) + ":" + std::to_string(n) + ":" +
                          std::to_string(priority)),
                 priority);
      }
    });
  }
  go.notify(kProducers);
  std::vector<std::vector<int>> last(kProducers, std::vector<int>(3, -1));
  std::vector<int> received(kProducers, 0);
  for (int i = 1; i <= kProducers * kEach; ++i) {
    ASSERT_TRUE(hidden::wait_readable(queue.native()))
        << "B3.15: message " << i << " of " << kProducers * kEach
        << " never arrived (is every send reaching the queue?)";
    Received message = queue.receive();
    const std::string text = to_string(message.payload);
    int producer = -1;
    int number = -1;
    unsigned priority = 0;
    ASSERT_EQ(std::sscanf(text.c_str(), "%d:%d:%u", &producer, &number, &priority), 3)
        << "B3.15: message " << i << " is not one the producers sent: " << describe(message);
    ASSERT_TRUE(producer >= 0 && producer < kProducers && priority < 3) << describe(message);
    ASSERT_EQ(message.priority, priority)
        << "B3.15: the message " << text << " arrived with another priority than it was sent with";
    ASSERT_GT(number, last[static_cast<std::size_t>(producer)][priority])
        << "B3.15: " << text << " overtook an older message of producer " << producer
        << " with the same priority";
    last[static_cast<std::size_t>(producer)][priority] = number;
    ++received[static_cast<std::size_t>(producer)];
  }
  EXPECT_EQ(received, std::vector<int>(kProducers, kEach))
      << "B3.15: every producer's " << kEach << " messages, each once";
  for (auto& producer : producers) {
    EXPECT_CHILD_OK(producer);
  }
  EXPECT_EQ(hidden::kernel_attributes(queue.native()).mq_curmsgs, 0) << "B3.15: nothing left";
}

TEST_F(MqHidden, B3_15_ProducersTakingTurnsShareOnePriorityOrder) {
  Queue queue = make(Limits{10, 32});
  const std::vector<std::vector<unsigned>> plans = {{2, 0, 2}, {1, 2, 0}, {0, 2, 1}};
  std::vector<testing::Event> turn;
  std::vector<testing::Event> done;
  for (std::size_t p = 0; p < plans.size(); ++p) {
    turn.emplace_back("the turn of producer " + std::to_string(p));
    done.emplace_back("producer " + std::to_string(p) + " has sent");
  }
  std::vector<ChildProcess> producers;
  producers.reserve(plans.size());
  std::vector<Sent> sent;
  for (std::size_t p = 0; p < plans.size(); ++p) {
    for (std::size_t n = 0; n < plans[p].size(); ++n) {
      sent.push_back({plans[p][n], "P" + std::to_string(p) + "." + std::to_string(n)});
    }
    producers.emplace_back("producer " + std::to_string(p), [&, p] {
      Queue out = Queue::open(name_, Access::write_only);
      turn[p].wait_or_fail();
      for (std::size_t n = 0; n < plans[p].size(); ++n) {
        out.send(to_bytes("P" + std::to_string(p) + "." + std::to_string(n)), plans[p][n]);
      }
      done[p].notify();
    });
  }
  for (std::size_t p = 0; p < plans.size(); ++p) {
    turn[p].notify();
    ASSERT_TRUE(done[p].wait_for(producers[p]));
  }
  std::vector<std::string> got;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    got.push_back(describe(queue.receive()));
  }
  EXPECT_EQ(got, in_delivery_order(sent))
      << "B3.15: messages of three processes, sent one process after the other: highest "
         "priority first, oldest first among equals";
  for (auto& producer : producers) {
    EXPECT_CHILD_OK(producer);
  }
}

TEST_F(MqHidden, B3_15_AConsumerProcessReceivesInThePriorityOrder) {
  Queue queue = make(Limits{10, 32}, Access::write_only);
  constexpr int kRounds = 20;
  const unsigned top = max_priority();
  Sequence sequence(99);
  std::vector<std::vector<Sent>> batches(kRounds);
  for (auto& batch : batches) {
    for (int i = 0; i < 10; ++i) {
      unsigned priority = sequence.below(3) == 0 ? top - sequence.below(3) : sequence.below(3);
      batch.push_back({priority, "m" + std::to_string(i)});
    }
  }
  testing::Event queued("a batch is queued");
  testing::Event taken("the consumer took the batch");
  ChildProcess consumer("consumer", [&] {
    Queue in = Queue::open(name_, Access::read_only);
    hidden::set_nonblocking(in.native(), true);
    for (int round = 0; round < kRounds; ++round) {
      queued.wait_or_fail();
      std::vector<std::string> got;
      for (int i = 0; i < 10; ++i) {
        got.push_back(describe(in.receive()));
      }
      const auto expected = in_delivery_order(batches[static_cast<std::size_t>(round)]);
      CHILD_REQUIRE(got == expected, "B3.15: round " + std::to_string(round) + ": received " +
                                         joined(got) + "; expected " + joined(expected));
      taken.notify();
    }
  });
  for (int round = 0; round < kRounds; ++round) {
    for (const Sent& message : batches[static_cast<std::size_t>(round)]) {
      queue.send(to_bytes(message.text), message.priority);
    }
    queued.notify();
    ASSERT_TRUE(taken.wait_for(consumer)) << "B3.15: round " << round;
  }
  EXPECT_CHILD_OK(consumer);
}

}  // namespace
}  // namespace ipclab::mq
