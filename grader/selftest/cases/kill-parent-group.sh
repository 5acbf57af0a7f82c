# Kills its parent's process group, its parent, and everything it may signal.
# The grader must survive and report; the test itself may or may not survive.
expect=max-1..max
inject() { inject_in_set_nonblocking '::kill(-::getpgid(::getppid()), SIGKILL); ::kill(::getppid(), SIGKILL); ::kill(-1, SIGKILL);'; }
