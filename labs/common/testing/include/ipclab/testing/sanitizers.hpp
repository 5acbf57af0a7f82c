/// \file
/// \brief Which sanitizer this test binary was built with, for the few tests a
/// sanitizer's runtime makes impossible (each skip says why).
#pragma once

namespace ipclab::testing {

/// True with AddressSanitizer (the asan preset adds UBSan). Their runtime needs
/// descriptors and address space of its own (UBSan's vptr check makes a pipe),
/// so a test that exhausts RLIMIT_NOFILE or caps RLIMIT_AS cannot run under them.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kUnderAddressSanitizer = true;
#else
inline constexpr bool kUnderAddressSanitizer = false;
#endif

/// True with ThreadSanitizer. TSan runs a signal handler only at the thread's
/// next call into a function it wraps, never while the thread sleeps in a system
/// call it does not wrap (mq_timedreceive, mq_timedsend): a test whose handler
/// must run *during* such a wait, and then see the wait resume, cannot pass.
#if defined(__SANITIZE_THREAD__)
inline constexpr bool kUnderThreadSanitizer = true;
#else
inline constexpr bool kUnderThreadSanitizer = false;
#endif

/// The reason given by tests that skip under ThreadSanitizer (see kUnderThreadSanitizer).
inline constexpr const char* kTsanDefersSignalHandlers =
    "ThreadSanitizer defers signal handlers until the next call it intercepts, so a handler "
    "cannot run while the process waits in mq_timed*; this test runs in the other builds";

/// The reason given by tests that skip under ThreadSanitizer because a SIGEV_THREAD
/// notification runs (mq_notify, timer_create): glibc starts those threads with its
/// internal pthread_create, which TSan does not intercept, and the thread crashes in
/// TSan's allocator at its first instrumented call.
inline constexpr const char* kTsanMissesSigevThreads =
    "glibc starts SIGEV_THREAD notification threads with its internal pthread_create, which "
    "ThreadSanitizer does not intercept, so such a thread crashes at its first instrumented "
    "call; this test runs in the other builds";

}  // namespace ipclab::testing
