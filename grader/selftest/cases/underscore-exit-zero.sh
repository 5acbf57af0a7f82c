# _exit(0) in the middle of a test: no atexit handlers, no report.
pattern='did not finish its report'
inject() { inject_in_set_nonblocking '::_exit(0);'; }
