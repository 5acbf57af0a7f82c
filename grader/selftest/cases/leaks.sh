# Leaves a message queue, a shared memory object and FIFOs behind: the test
# passes (it does not look), but nothing may remain on the machine after it.
expect=max
marker_files=("/dev/shm/ipclab-selftest-leak" "/dev/mqueue/ipclab-selftest-leak" "/tmp/ipclab-selftest-leak")
inject() {
  inject_in_set_nonblocking 'mq_close(mq_open("/ipclab-selftest-leak", O_CREAT | O_RDWR, 0600, nullptr));
    ::close(shm_open("/ipclab-selftest-leak", O_CREAT | O_RDWR, 0600));
    ::mkfifo("/tmp/ipclab-selftest-leak", 0600);'
}
