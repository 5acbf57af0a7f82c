# Attack: `#include "/proc/self/fd/1"` (and fd 0) in front of lab 01's
# reference: the compiler's own output or input, which once blocked it until
# the build timeout.
# Must happen: the compiler sees no /proc (and its stdin is not a pipe left
# open): the lab scores 0 with a compile error, at once, not after a timeout.
run() {
  local fd
  for fd in 1 0; do
    new_submission "include-proc-fd-$fd"
    add_lab 01
    local file; file=$(lab_file 01 fifo_io.cpp)
    { echo "#include \"/proc/self/fd/$fd\""; cat "$file"; } > "$file.new" && mv "$file.new" "$file"
    max_seconds=30
    grade "include-proc-fd/$fd" 0 "compile error" --submission "$submission" --labs 01 --public-only
  done
}
