/// \file
/// \brief Lab 01 — FIFOs: named pipes, message framing and a request/reply server.
///
/// A FIFO is a pipe with a name in the file system: unrelated processes open it
/// by path. This lab wraps the system calls in a small C++ API, builds messages
/// on top of the byte stream, and ends with a server that many clients use at
/// once. The behaviour ids (B1.n) are the ones in the handout, docs/labs/01-fifo.md,
/// and in the names of the tests.
///
/// Errors: a failing system call throws ipclab::SystemError naming the call
/// (check() does this for you); this header says where a function must do
/// something else.
///
/// \see The handout, \ref lab01, and the slides linked at its top.
#pragma once

#include <limits.h>  // PIPE_BUF
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "ipclab/error.hpp"
#include "ipclab/unique_fd.hpp"

/// Lab 01: FIFOs, explained in \ref lab01 "the handout".
namespace ipclab::fifo {

/// Which end of the FIFO to open.
enum class Direction {
  read,   ///< O_RDONLY
  write,  ///< O_WRONLY
};

/// Whether open() and later reads and writes may wait.
enum class Blocking {
  yes,  ///< the default: open() waits for the other end, reads wait for data
  no,   ///< O_NONBLOCK
};

/// Bytes of the length prefix in front of every message: a std::uint32_t in host order.
inline constexpr std::size_t header_size = sizeof(std::uint32_t);
/// The largest payload whose whole frame (header + payload) fits in PIPE_BUF,
/// so that one write() puts it into the FIFO atomically.
inline constexpr std::size_t max_atomic_payload = PIPE_BUF - header_size;
/// The largest payload send_message() and receive_message() accept (1 MiB).
inline constexpr std::size_t max_message_size = std::size_t{1} << 20;
/// The largest request body a Client sends: the request (client pid + body)
/// must fit in one atomic frame, because many clients write to one FIFO.
inline constexpr std::size_t max_request_body = max_atomic_payload - sizeof(std::int32_t);

/// The byte stream did not hold a valid message (cut short, or an impossible length).
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// No reply arrived in time.
class TimeoutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// \name Creating and opening (B1.1 – B1.8)
/// \{

/// Creates a FIFO at `path` with permission bits `mode` (less the umask).
///
/// Maps to \man{mkfifo,3}. Throws SystemError for "mkfifo": EEXIST when
/// something already has that name (B1.2), ENOENT when a directory on the path
/// is missing (B1.3). B1.1: the new file is a FIFO (S_ISFIFO) with `mode`.
void make_fifo(const std::filesystem::path& path, mode_t mode = 0600);

/// Opens one end of the FIFO at `path`.
///
/// Maps to \man{open,2} with O_RDONLY or O_WRONLY, O_CLOEXEC, and O_NONBLOCK
/// when `blocking` is Blocking::no. Throws SystemError for "open".
/// - B1.4: opening for reading waits until some process opens it for writing.
/// - B1.5: opening for writing waits until some process opens it for reading.
/// - B1.6: with Blocking::no, opening for reading succeeds at once.
/// - B1.7: with Blocking::no, opening for writing with no reader fails with ENXIO.
/// - B1.8: a missing path fails with ENOENT.
UniqueFd open_fifo(const std::filesystem::path& path, Direction direction,
                   Blocking blocking = Blocking::yes);

/// Switches O_NONBLOCK on or off for `fd`, keeping its other status flags.
///
/// Maps to \man{fcntl,2} (F_GETFL, then F_SETFL). B1.9. Throws SystemError for "fcntl".
void set_nonblocking(int fd, bool nonblocking);

/// \}
/// \name Bytes (B1.10 – B1.13)
/// \{

/// Writes all of `data` to `fd`.
///
/// Maps to \man{write,2}, called again after a partial write and after EINTR
/// (B1.10). Throws SystemError for "write" on any other error; with SIGPIPE
/// ignored, writing when every reader has gone is EPIPE (B1.13). B1.10 also:
/// EAGAIN (a full FIFO, on a descriptor with O_NONBLOCK) is such an error,
/// thrown at once: retrying it would spin until a reader makes room.
void write_all(int fd, std::span<const std::byte> data);

/// Reads from `fd` until `buffer` is full or end of file, and returns how many
/// bytes were read: fewer than buffer.size() only at end of file (B1.11).
///
/// Maps to \man{read,2}, called again after a partial read and after EINTR.
/// Throws SystemError for "read" on any other error. B1.12: once every writer has
/// closed and the FIFO is empty, it returns 0.
std::size_t read_full(int fd, std::span<std::byte> buffer);

/// \}
/// \name Messages over a byte stream (B1.14 – B1.17)
/// \{

/// Sends one message: a header_size length prefix, then `payload`.
///
/// B1.14: a frame of at most PIPE_BUF bytes (payload <= max_atomic_payload) goes
/// out in *one* write(), so messages from many concurrent writers never
/// interleave. Larger frames may be written in pieces. B1.14 also: throws
/// std::length_error, before writing anything, when payload.size() >
/// max_message_size; errors of write_all() otherwise.
void send_message(int fd, std::span<const std::byte> payload);

/// Receives one message sent by send_message().
///
/// Returns std::nullopt at a clean end of file: no writers left and no byte of
/// a new message read (B1.15). Assembles a message that arrives in pieces
/// (B1.16). Throws ProtocolError when end of file cuts a message short, or
/// when the length prefix exceeds max_message_size — without allocating that
/// much (B1.17).
std::optional<std::vector<std::byte>> receive_message(int fd);

/// \}
/// \name A request/reply server (B1.18 – B1.25)
/// \{

/// The well-known FIFO of the server whose folder is `directory`: directory/server.fifo.
inline std::filesystem::path server_fifo_path(const std::filesystem::path& directory) {
  return directory / "server.fifo";
}

/// The reply FIFO of client `client` in `directory`: directory/client-PID.fifo.
inline std::filesystem::path reply_fifo_path(const std::filesystem::path& directory, pid_t client) {
  return directory / ("client-" + std::to_string(client) + ".fifo");
}

/// What the server does with one request: gets the client's pid and the
/// request body, returns the reply body.
using Handler =
    std::function<std::vector<std::byte>(pid_t client, std::span<const std::byte> body)>;

/// A request/reply server on the FIFO server_fifo_path(directory).
///
/// Wire format: each request is one message (see send_message()) whose payload
/// is the client's pid (a std::int32_t in host order) followed by the body;
/// each reply is one message on that client's reply_fifo_path(). Many clients
/// may use one server at once, and each gets exactly its own replies (B1.23).
class Server {
 public:
  /// Creates the server FIFO and opens it so that serve_one() never sees end
  /// of file, and ignores SIGPIPE for the whole process.
  ///
  /// Opens the read end with O_NONBLOCK (a blocking open would wait for the
  /// first client, and this constructor would never return), then a *dummy
  /// write end*, then clears O_NONBLOCK on the read end so that reads wait for
  /// requests. While the server holds a write end, the FIFO never reaches end of
  /// file between clients (B1.20). Throws SystemError; EEXIST from mkfifo means
  /// another server is running, or a stale FIFO is left from a crashed one.
  /// If the constructor throws, it leaves no FIFO behind.
  explicit Server(std::filesystem::path directory);
  /// Closes both ends and removes the server FIFO (B1.18).
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Waits for one request, calls `handler`, and sends the reply to the
  /// client's reply FIFO, which it opens with O_WRONLY | O_NONBLOCK and then
  /// switches to blocking writes.
  ///
  /// Returns true when the reply was delivered (B1.19). Returns false, without
  /// blocking and without throwing, when the client has vanished: its reply FIFO
  /// is missing (ENOENT) or nobody reads it (ENXIO, B1.21), or it went away
  /// while the reply was being written (EPIPE, B1.22) — a client that vanished
  /// must not stop the server. A request too short to hold a pid is dropped the
  /// same way (false). A malformed frame (see receive_message()) and end of file
  /// on the server FIFO throw ProtocolError; other errors throw SystemError.
  /// (What this design cannot defend against — a live client that stops reading
  /// a large reply, or one that lies about its pid — is discussed in the handout.)
  bool serve_one(const Handler& handler);

  /// The path of the server FIFO.
  [[nodiscard]] const std::filesystem::path& fifo_path() const noexcept { return path_; }

 private:
  std::filesystem::path directory_;
  std::filesystem::path path_;
  UniqueFd requests_;      // the read end
  UniqueFd dummy_writer_;  // held only so that reads never see end of file
};

/// A client of a Server in the same directory.
class Client {
 public:
  /// Connects to the server and prepares this process's reply FIFO.
  ///
  /// First opens the server FIFO for writing with O_NONBLOCK — ENXIO (a
  /// SystemError for "open") means no server is running (B1.24); nothing is
  /// created then — and switches it to blocking writes. Then creates
  /// reply_fifo_path(directory, getpid()), opens its read end with O_NONBLOCK
  /// (from then on the server's O_NONBLOCK open of it finds a reader), opens a
  /// dummy write end (so our own reads never see end of file), and clears
  /// O_NONBLOCK on the read end.
  /// If the constructor throws, it leaves no FIFO behind.
  explicit Client(const std::filesystem::path& directory);
  /// Closes everything and removes the reply FIFO (B1.18).
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Sends `body` as one request and waits up to `timeout` for the reply.
  ///
  /// Throws std::length_error before sending when body.size() >
  /// max_request_body (B1.25), and TimeoutError when no reply starts arriving
  /// within `timeout` (\man{poll,2} on the reply FIFO; B1.26).
  std::vector<std::byte> request(std::span<const std::byte> body,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

  /// The path of this client's reply FIFO.
  [[nodiscard]] const std::filesystem::path& reply_path() const noexcept { return reply_path_; }

 private:
  std::filesystem::path reply_path_;
  UniqueFd server_;        // write end of the server FIFO
  UniqueFd replies_;       // read end of our reply FIFO
  UniqueFd dummy_writer_;  // keeps our reads from seeing end of file
};

/// \}

}  // namespace ipclab::fifo
