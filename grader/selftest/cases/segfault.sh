# Writes through a null pointer: a crash, reported with the signal's name.
pattern='SIGSEGV'
inject() { inject_in_set_nonblocking 'volatile int* nowhere = nullptr; *nowhere = 1;'; }
