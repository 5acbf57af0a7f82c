# Allocates (and touches) memory without bound: RLIMIT_AS stops it.
pattern='SIGABRT'
inject() { inject_in_set_nonblocking 'for (;;) { char* block = static_cast<char*>(std::malloc(1 << 20)); if (block == nullptr) { std::abort(); } std::memset(block, 1, 1 << 20); }'; }
