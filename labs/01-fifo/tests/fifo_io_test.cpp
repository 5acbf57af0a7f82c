// Lab 01 public tests: bytes and messages over a FIFO (B1.10 – B1.17).
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "ipclab/bytes.hpp"
#include "ipclab/fifo.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::fifo {
namespace {

using testing::ChildProcess;
using testing::fails_with;

/// A FIFO with both ends open in this process: nonblocking read end, blocking write end.
class FifoIo : public testing::IpcTest {
 protected:
  void SetUp() override {
    auto fifo = scratch_path("stream.fifo");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << errno_name(errno);
    reader_.reset(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    writer_.reset(::open(fifo.c_str(), O_WRONLY | O_CLOEXEC));
    ASSERT_TRUE(reader_ && writer_) << errno_name(errno);
    ::fcntl(reader_.get(), F_SETFL, 0);  // blocking reads from here on
  }
  UniqueFd reader_, writer_;
};

TEST_F(FifoIo, B1_10_WriteAllWritesEveryByte) {
  auto data = to_bytes("every byte of this text");
  write_all(writer_.get(), data);
  std::vector<std::byte> got(data.size());
  ASSERT_EQ(::read(reader_.get(), got.data(), got.size()), static_cast<ssize_t>(data.size()))
      << "B1.10: write_all must write all " << data.size() << " bytes";
  EXPECT_EQ(got, data);
}

TEST_F(FifoIo, B1_11_ReadFullGathersSeveralWrites) {
  ASSERT_EQ(::write(writer_.get(), "abc", 3), 3);
  ASSERT_EQ(::write(writer_.get(), "defg", 4), 4);
  std::vector<std::byte> buffer(7);
  EXPECT_EQ(read_full(reader_.get(), buffer), 7u) << "B1.11: read_full must fill the buffer";
  EXPECT_EQ(to_string(buffer), "abcdefg");
}

TEST_F(FifoIo, B1_12_ReadFullStopsAtEndOfFile) {
  ASSERT_EQ(::write(writer_.get(), "xy", 2), 2);
  writer_.reset();  // the last writer closes: end of file after "xy"
  std::vector<std::byte> buffer(10);
  EXPECT_EQ(read_full(reader_.get(), buffer), 2u) << "B1.12: a short count means end of file";
  EXPECT_EQ(read_full(reader_.get(), buffer), 0u)
      << "B1.12: once empty and closed, read_full returns 0";
}

TEST_F(FifoIo, B1_13_WriteWithoutReadersIsEpipeWhenSigpipeIsIgnored) {
  testing::Event readers_gone("the parent closed its read end");
  ChildProcess writer("writer", [&] {
    std::signal(SIGPIPE, SIG_IGN);
    reader_.reset();  // the child's copy of the read end
    readers_gone.wait_or_fail();
    write_all(writer_.get(), to_bytes("nobody listens"));
  });
  reader_.reset();  // the parent's copy: now nobody can read
  readers_gone.notify();
  auto result = writer.wait();
  EXPECT_FALSE(result.ok()) << "B1.13: write_all must fail when every reader is gone";
  EXPECT_NE(result.message.find("write"), std::string::npos) << result.describe();
  EXPECT_NE(result.message.find("EPIPE"), std::string::npos)
      << "B1.13: expected a SystemError for write with EPIPE; " << result.describe();
}

TEST_F(FifoIo, B1_14_SendMessageWritesLengthPrefixThenPayload) {
  auto payload = to_bytes("hello");
  send_message(writer_.get(), payload);
  std::byte raw[header_size + 5];
  ASSERT_EQ(::read(reader_.get(), raw, sizeof raw), static_cast<ssize_t>(sizeof raw))
      << "B1.14: expected a " << header_size << "-byte header and 5 payload bytes";
  std::uint32_t length = 0;
  std::memcpy(&length, raw, header_size);
  EXPECT_EQ(length, 5u) << "B1.14: the prefix is the payload length as a std::uint32_t";
  EXPECT_EQ(to_string(std::span(raw).subspan(header_size)), "hello");
}

TEST_F(FifoIo, B1_14_SendMessageRefusesOversizedPayloads) {
  std::vector<std::byte> huge(max_message_size + 1);
  EXPECT_THROW(send_message(writer_.get(), huge), std::length_error)
      << "B1.14: payloads above max_message_size are refused before writing";
}

TEST_F(FifoIo, B1_15_ReceiveMessageRoundTripsAndSeesEndOfFile) {
  std::string binary("a\0b\0c", 5);
  send_message(writer_.get(), to_bytes(binary));
  send_message(writer_.get(), {});
  writer_.reset();
  auto first = receive_message(reader_.get());
  ASSERT_TRUE(first.has_value()) << "B1.15: expected a message";
  EXPECT_EQ(to_string(*first), binary) << "B1.15: NUL bytes must survive";
  auto empty = receive_message(reader_.get());
  ASSERT_TRUE(empty.has_value()) << "B1.15: an empty message is still a message";
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(receive_message(reader_.get()).has_value())
      << "B1.15: at a clean end of file receive_message returns std::nullopt";
}

TEST_F(FifoIo, B1_16_ReceiveMessageAssemblesPieces) {
  ChildProcess receiver("receiver", [&] {
    auto message = receive_message(reader_.get());
    CHILD_REQUIRE(message.has_value(), "B1.16: expected a message, got end of file");
    CHILD_REQUIRE(to_string(*message) == "pieces",
                  "B1.16: expected \"pieces\", got \"" + to_string(*message) + "\"");
  });
  // Feed the frame a few bytes at a time, each time after the receiver has
  // drained the FIFO and waits in read() for more.
  std::uint32_t length = 6;
  const char* header = reinterpret_cast<const char*>(&length);
  for (auto piece : {std::string_view(header, 2), std::string_view(header + 2, 2),
                     std::string_view("pie"), std::string_view("ces")}) {
    ASSERT_TRUE(testing::blocked_in(receiver, testing::kWaitingForInput))
        << "B1.16: the receiver should wait in read() for the rest of the message";
    ASSERT_EQ(::write(writer_.get(), piece.data(), piece.size()),
              static_cast<ssize_t>(piece.size()));
  }
  EXPECT_CHILD_OK(receiver);
}

TEST_F(FifoIo, B1_17_TruncatedMessageIsAProtocolError) {
  std::uint32_t length = 100;
  ASSERT_EQ(::write(writer_.get(), &length, sizeof length), 4);
  ASSERT_EQ(::write(writer_.get(), "only ten b", 10), 10);
  writer_.reset();
  EXPECT_THROW(receive_message(reader_.get()), ProtocolError)
      << "B1.17: end of file after 10 of 100 payload bytes";
}

}  // namespace
}  // namespace ipclab::fifo
