# Writes to stdout without end: the output is capped, the deadline ends it.
pattern='timed out'
inject() { inject_in_set_nonblocking 'for (;;) { std::fputs("flood flood flood flood flood flood flood flood\n", stdout); }'; }
