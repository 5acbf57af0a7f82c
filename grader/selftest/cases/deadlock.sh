# Waits for a byte nobody will write: the report must name the blocking call.
pattern='blocked in read \(reading an empty pipe'
inject() { inject_in_set_nonblocking 'int p[2]; if (::pipe(p) == 0) { char c; (void)::read(p[0], &c, 1); }'; }
