# Forks without end: RLIMIT_NPROC stops it, the deadline ends it, nothing survives.
pattern='timed out'
inject() { inject_in_set_nonblocking 'for (;;) { (void)::fork(); }'; }
