# exit(0) in the middle of a test: status 0, but GoogleTest never finished.
pattern='did not finish its report'
inject() { inject_in_set_nonblocking 'std::exit(0);'; }
