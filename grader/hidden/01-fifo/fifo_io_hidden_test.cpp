// Lab 01 hidden tests: bytes and messages over a FIFO (B1.10 – B1.17), across
// processes, with signals cutting system calls short and writers racing.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <new>

#include "hidden_support.hpp"
#include "ipclab/bytes.hpp"
#include "ipclab/fifo.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::fifo {
namespace {

using hidden::finishes_without_blocking_in;
using hidden::first_difference;
using hidden::frame;
using hidden::pattern;
using hidden::read_exactly;
using hidden::write_calls;
using testing::blocked_in;
using testing::ChildProcess;

/// A FIFO with both ends open in this process (a blocking read end and a
/// blocking write end), like the public FifoIo fixture; children inherit both.
class FifoIoHidden : public testing::IpcTest {
 protected:
  void SetUp() override {
    fifo_ = scratch_path("stream.fifo");
    ASSERT_EQ(::mkfifo(fifo_.c_str(), 0600), 0) << errno_name(errno);
    reader_.reset(::open(fifo_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    writer_.reset(::open(fifo_.c_str(), O_WRONLY | O_CLOEXEC));
    ASSERT_TRUE(reader_ && writer_) << errno_name(errno);
    ::fcntl(reader_.get(), F_SETFL, 0);  // blocking reads from here on
  }

  /// Another write end with its own O_NONBLOCK flag (a flag on writer_ would be
  /// shared with every child that inherited writer_).
  UniqueFd nonblocking_writer() {
    return UniqueFd(::open(fifo_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  }

  /// A child that writes `bytes` with the test's own loop, then exits. It stops
  /// quietly if the reader goes away: the reader's verdict is the one that counts.
  ChildProcess raw_writer(std::vector<std::byte> bytes, std::size_t chunk_growth = 0) {
    return ChildProcess("raw writer", [&, bytes = std::move(bytes)] {
      std::signal(SIGPIPE, SIG_IGN);
      reader_.reset();
      std::span<const std::byte> rest(bytes);
      std::size_t chunk = chunk_growth == 0 ? rest.size() : 1;
      try {
        while (!rest.empty()) {
          std::size_t n = std::min(chunk, rest.size());
          hidden::write_raw(writer_.get(), rest.first(n));
          rest = rest.subspan(n);
          chunk = chunk_growth == 0 ? chunk : (chunk * chunk_growth + 7) % 70001 + 1;
        }
      } catch (const SystemError&) {
        // EPIPE: the reader under test stopped early
      }
    });
  }

  // Shared bodies of the tests below that differ in one number.
  void expect_frame_goes_in_whole(std::size_t payload_size);
  void expect_protocol_error_after_header_bytes(std::size_t cut);
  void expect_protocol_error_without_allocating(std::uint32_t length);

  std::filesystem::path fifo_;
  UniqueFd reader_, writer_;
};

TEST_F(FifoIoHidden, B1_10_WriteAllResumesAfterASignalCutsAWriteShort) {
  const auto data = pattern(std::size_t{1} << 20, 10);  // 16 times what the FIFO holds
  testing::Event handled("the writer's SIGUSR1 handler ran");
  ChildProcess writer("writer", [&] {
    reader_.reset();
    hidden::interrupt_system_calls_on(SIGUSR1, handled);
    write_all(writer_.get(), data);
  });
  writer_.reset();  // the child's copy is the last write end: end of file once it exits
  ASSERT_TRUE(blocked_in(writer, write_calls))
      << "B1.10: nobody reads yet, so write_all must fill the FIFO and wait in write()";
  // The write() has moved a FIFO's worth of bytes; interrupted, it returns that
  // short count instead of -1.
  writer.kill(SIGUSR1);
  ASSERT_TRUE(handled.wait_for(writer)) << "B1.10: the signal handler did not run";
  auto got = hidden::read_until_eof(reader_.get());
  EXPECT_EQ(got.size(), data.size())
      << "B1.10: a signal cut write() short; write_all must call write() again for the rest "
         "(it wrote "
      << got.size() << " of " << data.size() << " bytes)";
  EXPECT_TRUE(got == data) << "B1.10: the bytes must arrive complete and in order: "
                           << first_difference(data, got);
  EXPECT_CHILD_OK(writer);
}

TEST_F(FifoIoHidden, B1_10_WriteAllRetriesAWriteInterruptedBeforeItsFirstByte) {
  std::size_t filler = 0;
  {
    UniqueFd side = nonblocking_writer();
    ASSERT_TRUE(side) << errno_name(errno);
    filler = hidden::fill_with_pages(side.get());  // no room left for a single byte
  }
  const auto data = to_bytes("written after EINTR");
  testing::Event handled("the writer's SIGUSR1 handler ran");
  ChildProcess writer("writer", [&] {
    reader_.reset();
    hidden::interrupt_system_calls_on(SIGUSR1, handled);
    write_all(writer_.get(), data);
  });
  writer_.reset();
  ASSERT_TRUE(blocked_in(writer, write_calls))
      << "B1.10: the FIFO is full, so write_all must wait in write()";
  writer.kill(SIGUSR1);  // nothing written yet: write() fails with EINTR
  ASSERT_TRUE(handled.wait_for(writer)) << "B1.10: the signal handler did not run";
  ASSERT_TRUE(blocked_in(writer, write_calls))
      << "B1.10: write() failed with EINTR because a signal arrived before it wrote "
         "anything; write_all must call write() again, not give up";
  ASSERT_EQ(read_exactly(reader_.get(), filler).size(), filler);
  auto got = hidden::read_until_eof(reader_.get());
  EXPECT_EQ(to_string(got), to_string(data))
      << "B1.10: after EINTR, write_all must still write all of its data";
  EXPECT_CHILD_OK(writer);
}

TEST_F(FifoIoHidden, B1_10_WriteAllReportsEagainOnAFullNonblockingFifo) {
  UniqueFd side = nonblocking_writer();
  ASSERT_TRUE(side) << errno_name(errno);
  hidden::fill_with_pages(side.get());  // no room left for a single byte
  const auto data = to_bytes("no room for this");
  // In a child: a write_all that retries EAGAIN as if it were EINTR never
  // returns, and only a child can be stopped at a deadline.
  ChildProcess writer("writer", [&] {
    try {
      write_all(side.get(), data);
    } catch (const SystemError& error) {
      CHILD_REQUIRE(error.call() == "write" && error.error_number() == EAGAIN,
                    "B1.10: expected write_all to throw SystemError for \"write\" with EAGAIN; "
                    "instead " + error.call() + " failed with " +
                        errno_name(error.error_number()) + " (" + error.what() + ")");
      return;
    }
    CHILD_REQUIRE(false,
                  "B1.10: expected write_all on a full O_NONBLOCK FIFO to throw EAGAIN; it returned");
  });
  testing::ChildResult result = writer.wait();
  if (result.timed_out) {
    FAIL() << "B1.10: write_all on a full FIFO whose descriptor has O_NONBLOCK must throw "
              "SystemError for \"write\" with EAGAIN at once; after "
           << testing::scaled(std::chrono::seconds(5)).count()
           << " ms it was still running: EAGAIN means \"it would have to wait\", and retrying "
              "it (as for EINTR) spins until a reader makes room, which may be never";
  }
  if (!result.ok()) {
    ADD_FAILURE() << result.describe();
  }
}

TEST_F(FifoIoHidden, B1_11_ReadFullRetriesAfterASignal) {
  testing::Event handled("the reader's SIGUSR1 handler ran");
  ChildProcess reader("reader", [&] {
    writer_.reset();
    hidden::interrupt_system_calls_on(SIGUSR1, handled);
    std::vector<std::byte> buffer(10);
    std::size_t n = read_full(reader_.get(), buffer);
    CHILD_REQUIRE(n == 10, "B1.11: two signals interrupted read(), but the writer sent all 10 "
                           "bytes and kept the FIFO open; read_full returned " +
                               std::to_string(n));
    CHILD_REQUIRE(to_string(buffer) == "0123456789",
                  "B1.11: expected \"0123456789\", got \"" + to_string(buffer) + "\"");
  });
  ASSERT_TRUE(blocked_in(reader, testing::kWaitingForInput))
      << "B1.11: the FIFO is empty, so read_full must wait in read()";
  reader.kill(SIGUSR1);  // nothing read yet: read() fails with EINTR
  ASSERT_TRUE(handled.wait_for(reader)) << "B1.11: the signal handler did not run";
  ASSERT_TRUE(blocked_in(reader, testing::kWaitingForInput))
      << "B1.11: read() failed with EINTR because a signal arrived before any data; read_full "
         "must call read() again, not give up";
  ASSERT_EQ(::write(writer_.get(), "012", 3), 3);
  ASSERT_TRUE(blocked_in(reader, testing::kWaitingForInput))
      << "B1.11: after 3 of 10 bytes read_full must wait in read() for the rest";
  reader.kill(SIGUSR1);
  ASSERT_TRUE(handled.wait_for(reader)) << "B1.11: the signal handler did not run";
  ASSERT_EQ(::write(writer_.get(), "3456789", 7), 7);
  EXPECT_CHILD_OK(reader);
}

TEST_F(FifoIoHidden, B1_11_ReadFullGathersAStreamLargerThanTheFifo) {
  // Odd-sized chunks from 1 byte to 70 000 bytes, 1 MiB - 123 bytes in all, then
  // end of file: read_full must call read() many times and place every piece right.
  const std::size_t size = (std::size_t{1} << 20) - 123;
  const auto data = pattern(size, 11);
  ChildProcess reader("reader", [&] {
    writer_.reset();
    std::vector<std::byte> buffer(std::size_t{1} << 20);
    std::size_t n = read_full(reader_.get(), buffer);
    CHILD_REQUIRE(n == size, "B1.11: the writer sent " + std::to_string(size) +
                                 " bytes in many pieces, then closed: read_full into a 1 MiB "
                                 "buffer must return " +
                                 std::to_string(size) + " (end of file), it returned " +
                                 std::to_string(n));
    CHILD_REQUIRE(std::equal(data.begin(), data.end(), buffer.begin()),
                  "B1.11: each read() must continue where the last one stopped: " +
                      first_difference(data, std::span(buffer).first(size)));
  });
  auto writer = raw_writer(data, 13);
  reader_.reset();
  writer_.reset();
  EXPECT_CHILD_OK(reader);
  EXPECT_CHILD_OK(writer);
}

TEST_F(FifoIoHidden, B1_13_ReaderLeavingInTheMiddleOfAWriteIsEpipe) {
  ChildProcess writer("writer", [&] {
    std::signal(SIGPIPE, SIG_IGN);
    reader_.reset();
    try {
      write_all(writer_.get(), pattern(std::size_t{1} << 20, 13));
    } catch (const SystemError& error) {
      CHILD_REQUIRE(error.call() == "write" && error.error_number() == EPIPE,
                    "B1.13: expected a SystemError for write with EPIPE; got " +
                        std::string(error.what()));
      return;
    }
    throw testing::ChildFailure(
        "B1.13: the reader left after a FIFO's worth of bytes, yet write_all returned as if "
        "all 1 MiB had been written: a short count is not success, and the next write() fails "
        "with EPIPE");
  });
  writer_.reset();
  ASSERT_TRUE(blocked_in(writer, write_calls))
      << "B1.13: nobody reads, so write_all must fill the FIFO and wait in write()";
  reader_.reset();  // the last reader leaves while write() waits
  EXPECT_CHILD_OK(writer);
}

TEST_F(FifoIoHidden, B1_14_OversizedPayloadLeavesTheFifoEmpty) {
  ChildProcess sender("sender", [&] {
    std::signal(SIGPIPE, SIG_IGN);
    std::vector<std::byte> huge(max_message_size + 1);
    try {
      send_message(writer_.get(), huge);
    } catch (const std::length_error&) {
      return;
    }
    throw testing::ChildFailure("B1.14: send_message(max_message_size + 1 bytes) must throw "
                                "std::length_error; it returned");
  });
  EXPECT_TRUE(finishes_without_blocking_in(
      sender, write_calls,
      "B1.14: send_message must refuse a payload above max_message_size before writing; it "
      "is writing it"));
  EXPECT_FALSE(hidden::has_data_now(reader_.get()))
      << "B1.14: send_message threw std::length_error, but only after writing "
      << read_exactly(reader_.get(), 16, std::chrono::steady_clock::now()).size()
      << " or more bytes: check the size before writing anything";
}

TEST_F(FifoIoHidden, B1_14_SendMessageAcceptsExactlyMaxMessageSize) {
  const auto payload = pattern(max_message_size, 14);
  ChildProcess sender("sender", [&] {
    reader_.reset();
    send_message(writer_.get(), payload);
  });
  writer_.reset();
  auto got = read_exactly(reader_.get(), header_size + max_message_size);
  auto expected = frame(payload);
  EXPECT_TRUE(got == expected) << "B1.14: a payload of exactly max_message_size bytes is allowed "
                                  "and must arrive as one frame: "
                               << first_difference(expected, got);
  EXPECT_CHILD_OK(sender);
}

/// A frame of frame_size bytes meets a FIFO that has room for frame_size - 1
/// bytes in its last page and no free page. send_message must wait in write()
/// with *nothing* written. Another writer's small frame then fits into the room,
/// and must come out *before* the whole frame — never in the middle of it. A
/// send_message that writes the header on its own puts the header into the room
/// first, and the other frame lands between header and payload, every time.
void FifoIoHidden::expect_frame_goes_in_whole(std::size_t payload_size) {
  const std::size_t frame_size = header_size + payload_size;
  const std::size_t page = hidden::page_size();
  const std::size_t room = frame_size - 1;
  UniqueFd side = nonblocking_writer();
  ASSERT_TRUE(side) << errno_name(errno);
  std::size_t filler = hidden::fill_with_pages(side.get());
  ASSERT_EQ(read_exactly(reader_.get(), page).size(), page);  // frees one page...
  std::vector<std::byte> most_of_a_page(page - room, std::byte{0xAA});
  ASSERT_EQ(::write(side.get(), most_of_a_page.data(), most_of_a_page.size()),
            static_cast<ssize_t>(most_of_a_page.size()));  // ...and fills all but `room` bytes
  filler = filler - page + most_of_a_page.size();

  const auto payload = pattern(payload_size, static_cast<std::uint32_t>(payload_size));
  ChildProcess sender("sender", [&] {
    reader_.reset();
    side.reset();
    send_message(writer_.get(), payload);
  });
  ASSERT_TRUE(blocked_in(sender, write_calls))
      << "B1.14: the FIFO has room for " << room << " bytes, less than the " << frame_size
      << "-byte frame, so send_message must wait in write()";

  const auto other = frame({});  // an empty message: just a 4-byte header
  ssize_t wrote = ::write(side.get(), other.data(), other.size());
  EXPECT_EQ(wrote, static_cast<ssize_t>(other.size()))
      << "B1.14: the FIFO had room for " << room << " bytes and the " << frame_size
      << "-byte frame did not fit, so it must have waited with nothing written; yet 4 more "
         "bytes found no room ("
      << errno_name(errno) << "): send_message wrote part of its frame";
  side.reset();
  ASSERT_EQ(read_exactly(reader_.get(), filler).size(), filler);

  auto next = read_exactly(reader_.get(), header_size);
  EXPECT_TRUE(next == other)
      << "B1.14: the other writer's empty frame went in while send_message waited, so it must "
         "come first; instead the FIFO holds a header announcing "
      << hidden::announced_length(next)
      << " bytes first: send_message's frame went in piece by piece (the header with a "
         "write() of its own), and the other frame landed inside it. Put header and payload "
         "into one buffer and write it with ONE write(): a write of at most PIPE_BUF bytes is "
         "never split or interleaved";
  auto rest = read_exactly(reader_.get(), frame_size);
  auto expected = frame(payload);
  if (next == other) {
    EXPECT_TRUE(rest == expected) << "B1.14: the frame after it: " << first_difference(expected, rest);
  }
  EXPECT_CHILD_OK(sender);
}

TEST_F(FifoIoHidden, B1_14_APipeBufFrameGoesInWholeOrNotAtAll) {
  expect_frame_goes_in_whole(max_atomic_payload);  // 4096 bytes: exactly PIPE_BUF
}

TEST_F(FifoIoHidden, B1_14_A2004ByteFrameGoesInWholeOrNotAtAll) { expect_frame_goes_in_whole(2000); }

TEST_F(FifoIoHidden, B1_14_A104ByteFrameGoesInWholeOrNotAtAll) { expect_frame_goes_in_whole(100); }

TEST_F(FifoIoHidden, B1_14_A12ByteFrameGoesInWholeOrNotAtAll) { expect_frame_goes_in_whole(8); }

/// What writer `writer` sends as its message number `sequence`: who, which, and
/// a body of a size between 5 and max_atomic_payload that only it can have.
std::vector<std::byte> racing_payload(std::uint8_t writer, std::uint32_t sequence) {
  std::uint32_t seed = writer * 100003u + sequence;
  std::size_t size = sequence % 5 == 0 ? max_atomic_payload
                                       : 5 + (seed * 2654435761u >> 8) % (max_atomic_payload - 4);
  auto payload = pattern(size, seed);
  payload[0] = std::byte{writer};
  std::memcpy(payload.data() + 1, &sequence, sizeof sequence);
  return payload;
}

TEST_F(FifoIoHidden, B1_14_ConcurrentWritersNeverInterleaveTheirFrames) {
  constexpr int kWriters = 6;
  constexpr std::uint32_t kFrames = 100;
  testing::Event start("start writing");
  std::vector<ChildProcess> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back("writer " + std::to_string(w), [&, w] {
      reader_.reset();
      start.wait_or_fail();
      for (std::uint32_t seq = 0; seq < kFrames; ++seq) {
        send_message(writer_.get(), racing_payload(static_cast<std::uint8_t>(w), seq));
      }
    });
  }
  writer_.reset();
  start.notify(kWriters);

  auto read_every_frame = [&]() -> ::testing::AssertionResult {
    std::vector<std::uint32_t> next(kWriters, 0);
    for (std::uint32_t i = 0; i < kWriters * kFrames; ++i) {
      auto header = read_exactly(reader_.get(), header_size);
      if (header.size() < header_size) {
        return ::testing::AssertionFailure() << "the stream ended after " << i << " of "
                                             << kWriters * kFrames << " frames";
      }
      auto length = hidden::announced_length(header);
      if (length < 5 || length > max_atomic_payload) {
        return ::testing::AssertionFailure()
               << "frame " << i << " announces " << length
               << " bytes, a size no writer sent: the stream is out of step because frames "
                  "of concurrent writers were mixed. Each frame of at most PIPE_BUF bytes "
                  "must go out in ONE write()";
      }
      auto payload = read_exactly(reader_.get(), length);
      auto writer = static_cast<std::uint8_t>(payload[0]);
      std::uint32_t sequence = 0;
      std::memcpy(&sequence, payload.data() + 1, sizeof sequence);
      if (writer >= kWriters || sequence != next[writer]) {
        return ::testing::AssertionFailure()
               << "frame " << i << " does not start like the next frame of any writer: frames "
                  "of concurrent writers were mixed (one write() per frame!)";
      }
      auto expected = racing_payload(writer, sequence);
      if (payload != expected) {
        return ::testing::AssertionFailure()
               << "frame " << i << " (writer " << int{writer} << ", message " << sequence
               << ") is damaged: " << first_difference(expected, payload)
               << " — another writer's bytes got into it";
      }
      ++next[writer];
    }
    if (!read_exactly(reader_.get(), 1).empty()) {
      return ::testing::AssertionFailure() << "bytes follow the last frame";
    }
    return ::testing::AssertionSuccess();
  };
  auto verdict = read_every_frame();
  reader_.reset();  // if reading stopped early, blocked writers now fail instead of hanging
  EXPECT_TRUE(verdict) << "B1.14: " << kWriters << " processes each sent " << kFrames
                       << " messages of up to max_atomic_payload bytes at the same time";
  for (auto& writer : writers) {
    auto result = writer.wait();
    if (verdict || result.signal != SIGPIPE) {  // SIGPIPE: the test stopped reading
      EXPECT_TRUE(testing::exited_ok(result));
    }
  }
}

/// End of file after `cut` bytes of a header.
void FifoIoHidden::expect_protocol_error_after_header_bytes(std::size_t cut) {
  auto header = hidden::header_announcing(5);
  ASSERT_EQ(::write(writer_.get(), header.data(), cut), static_cast<ssize_t>(cut));
  writer_.reset();
  ChildProcess receiver("receiver", [&] {
    std::optional<std::vector<std::byte>> message;
    try {
      message = receive_message(reader_.get());
    } catch (const ProtocolError&) {
      return;
    }
    throw testing::ChildFailure(
        "B1.17: end of file after " + std::to_string(cut) + " of " +
        std::to_string(header_size) + " header bytes must throw ProtocolError; receive_message " +
        (message ? "returned a message" : "returned std::nullopt, which means a clean end of "
                                          "file with no byte of a new message read"));
  });
  EXPECT_CHILD_OK(receiver);
}

TEST_F(FifoIoHidden, B1_17_EndOfFileAfter1HeaderByteIsAProtocolError) {
  expect_protocol_error_after_header_bytes(1);
}

TEST_F(FifoIoHidden, B1_17_EndOfFileAfter2HeaderBytesIsAProtocolError) {
  expect_protocol_error_after_header_bytes(2);
}

TEST_F(FifoIoHidden, B1_17_EndOfFileAfter3HeaderBytesIsAProtocolError) {
  expect_protocol_error_after_header_bytes(3);
}

TEST_F(FifoIoHidden, B1_16_ReceiveMessageSurvivesSignalsWhileWaiting) {
  testing::Event handled("the receiver's SIGUSR1 handler ran");
  const std::string text = "interrupted twice";
  ChildProcess receiver("receiver", [&] {
    writer_.reset();
    hidden::interrupt_system_calls_on(SIGUSR1, handled);
    auto message = receive_message(reader_.get());
    CHILD_REQUIRE(message.has_value(), "B1.16: expected a message, got std::nullopt");
    CHILD_REQUIRE(to_string(*message) == text,
                  "B1.16: expected \"" + text + "\", got \"" + to_string(*message) + "\"");
  });
  auto bytes = frame(to_bytes(text));
  ASSERT_TRUE(blocked_in(receiver, testing::kWaitingForInput))
      << "B1.16: the FIFO is empty, so receive_message must wait in read()";
  receiver.kill(SIGUSR1);  // read() fails with EINTR
  ASSERT_TRUE(handled.wait_for(receiver));
  ASSERT_EQ(::write(writer_.get(), bytes.data(), 2), 2);  // half a header
  ASSERT_TRUE(blocked_in(receiver, testing::kWaitingForInput))
      << "B1.16: after EINTR and half a header, receive_message must wait in read() for the "
         "rest (read_full retries EINTR)";
  receiver.kill(SIGUSR1);
  ASSERT_TRUE(handled.wait_for(receiver));
  ASSERT_EQ(::write(writer_.get(), bytes.data() + 2, bytes.size() - 2),
            static_cast<ssize_t>(bytes.size() - 2));
  EXPECT_CHILD_OK(receiver);
}

TEST_F(FifoIoHidden, B1_17_ReceiveMessageAcceptsExactlyMaxMessageSize) {
  const auto payload = pattern(max_message_size, 17);
  ChildProcess receiver("receiver", [&] {
    writer_.reset();
    auto message = receive_message(reader_.get());
    CHILD_REQUIRE(message.has_value(), "B1.17: expected a message, got std::nullopt");
    CHILD_REQUIRE(*message == payload,
                  "B1.17: a length of exactly max_message_size is allowed (only larger ones "
                  "are errors), and the payload arrives in many pieces: " +
                      first_difference(payload, *message));
  });
  auto writer = raw_writer(frame(payload));
  reader_.reset();
  writer_.reset();
  EXPECT_CHILD_OK(receiver);
  EXPECT_CHILD_OK(writer);
}

/// A header announcing `length` bytes, more than max_message_size.
void FifoIoHidden::expect_protocol_error_without_allocating(std::uint32_t length) {
  auto bytes = hidden::header_announcing(length);
  auto start = to_bytes("the first bytes of a payload that never ends");
  bytes.insert(bytes.end(), start.begin(), start.end());
  ASSERT_EQ(::write(writer_.get(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  // writer_ stays open: more payload could still come, so only the length check
  // can end receive_message.
  ChildProcess receiver("receiver", [&] {
    // Allocating the announced length now throws std::bad_alloc (except under
    // a sanitizer, where only the reference solution runs).
    hidden::cap_address_space(std::size_t{256} << 20);
    try {
      receive_message(reader_.get());
    } catch (const ProtocolError&) {
      return;
    } catch (const std::bad_alloc&) {
      throw testing::ChildFailure(
          "B1.17: receive_message tried to allocate the " + std::to_string(length) +
          " bytes the header announced (std::bad_alloc): the length comes from another "
          "process, so compare it with max_message_size BEFORE allocating");
    }
    throw testing::ChildFailure("B1.17: a header announcing " + std::to_string(length) +
                                " bytes (more than max_message_size) must throw "
                                "ProtocolError; receive_message returned");
  });
  EXPECT_TRUE(finishes_without_blocking_in(
      receiver, testing::kWaitingForInput,
      "B1.17: a header announcing " + std::to_string(length) +
          " bytes (more than max_message_size) must throw ProtocolError at once; "
          "receive_message waits in read() for the payload instead"));
}

TEST_F(FifoIoHidden, B1_17_LengthJustAboveMaxMessageSizeIsAProtocolErrorAtOnce) {
  expect_protocol_error_without_allocating(static_cast<std::uint32_t>(max_message_size + 1));
}

TEST_F(FifoIoHidden, B1_17_Length2GiBIsAProtocolErrorWithoutAllocating) {
  expect_protocol_error_without_allocating(0x80000000u);
}

TEST_F(FifoIoHidden, B1_17_Length4GiBMinus1IsAProtocolErrorWithoutAllocating) {
  expect_protocol_error_without_allocating(0xFFFFFFFFu);
}

// A negative control (listed under "controls" in grader/rubric/01-fifo.json, never
// run by ctest): its honest outcome is a failure whatever the lab's code does,
// it is worth nothing and no report lists it. If it passes, the test process
// wrote its own report, and the grader voids the lab's verdicts.
TEST_F(FifoIoHidden, B1_13_AReadAfterTheLastWriterClosesSaysEndOfFile) {
  auto marker = scratch_path("after-b1-13");
  EXPECT_EQ(::access(marker.c_str(), F_OK), 0) << "B1.13: expected a FIFO whose writer has closed reads as end of file";
}

}  // namespace
}  // namespace ipclab::fifo
