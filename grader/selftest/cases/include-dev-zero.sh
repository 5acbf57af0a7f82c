# Attack: `#include "/dev/zero"` in front of lab 01's reference: a file without
# end, which once grew the compiler until the host ran out of memory.
# Must happen: the sandboxed compiler is stopped by its limits (memory, time)
# or finds nothing to read: the lab scores 0 with a compile error, well under
# a minute, and the machine keeps its memory (MemAvailable stays above 512 MiB
# while it runs; the row notes the time).
run() {
  new_submission include-dev-zero
  add_lab 01
  local file; file=$(lab_file 01 fifo_io.cpp)
  { echo '#include "/dev/zero"'; cat "$file"; } > "$file.new" && mv "$file.new" "$file"
  max_seconds=45
  grade include-dev-zero 0 "compile error" --submission "$submission" --labs 01 --public-only
}
