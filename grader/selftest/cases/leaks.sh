# Leaves a message queue, a shared memory object and FIFOs behind: the test
# passes (it does not look), but nothing may remain on the machine after it.
# The names carry this run's token, so that only our own leftovers are judged
# (another grader on the machine may have objects of its own).
expect=max
marker_files=("/dev/shm/ipclab-selftest-leak-$token" "/dev/mqueue/ipclab-selftest-leak-$token" "/tmp/ipclab-selftest-leak-$token")
inject() {
  inject_in_set_nonblocking "mq_close(mq_open(\"/ipclab-selftest-leak-$token\", O_CREAT | O_RDWR, 0600, nullptr));
    ::close(shm_open(\"/ipclab-selftest-leak-$token\", O_CREAT | O_RDWR, 0600));
    ::mkfifo(\"/tmp/ipclab-selftest-leak-$token\", 0600);"
}
