# A student file with its own main(): the lab scores 0 with a clear message.
expect=0
pattern='defines main\(\)'
inject() { append_to_fifo_io 'int main() { return 0; }'; }
