/// \file
/// \brief Signals in tests: a handler that tells the parent it ran.
#pragma once

namespace ipclab::testing {

class Event;

/// In a child: installs a handler for `sig` that notifies `handled` each time it
/// runs (one byte on its pipe; async-signal-safe, errno kept). Without
/// `restart` a blocked read(), write(), msgrcv() or mq_timedreceive() returns
/// early with EINTR (or a short count); with SA_RESTART the kernel restarts
/// most calls, but never msgrcv/msgsnd (signal(7)). The parent waits for
/// `handled` to know that the handler ran, then looks at what the call did.
void notify_on_signal(int sig, const Event& handled, bool restart);

}  // namespace ipclab::testing
