# A busy loop: the test must time out, and the report say it was running.
pattern='timed out after [0-9.]+ s: the test was running'
inject() { inject_in_set_nonblocking 'for (volatile unsigned spin = 0;; spin = spin + 1) {}'; }
