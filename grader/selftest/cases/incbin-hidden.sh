# Attack: the reference of lab 01 plus an `.incbin` of a hidden test's source
# (by absolute path, and by a path relative to the compiler's working folder,
# which .incbin resolves against: the grader used to compile in its CMake build
# folder, build/grade/course, three folders below the checkout), printed by
# the code that test B1.9 reaches: had the assembler read the file, the hidden
# test's text would be in B1.9's output, which is a visible test's output.
# Must happen: the assembler (sandboxed) finds no such file: the lab fails to
# compile and scores 0, and no line of the hidden test reaches any report.
run() {
  local hidden=$root/grader/hidden/01-fifo/fifo_io_hidden_test.cpp
  local variant path
  for variant in absolute relative; do
    case $variant in
      absolute) path=$hidden ;;
      relative) path=../../../grader/hidden/01-fifo/fifo_io_hidden_test.cpp ;;
    esac
    new_submission "incbin-hidden-$variant"
    add_lab 01
    local file; file=$(lab_file 01 fifo_io.cpp)
    inject_in_set_nonblocking 'std::fputs(ipclab_stolen, stderr); std::abort();' "$file" > /dev/null \
      || { prepare_failed "incbin-hidden/$variant" "set_nonblocking not found"; return; }
    # The stolen bytes, NUL-terminated, in .rodata under a C name.
    printf '%s\n' "asm(\".pushsection .rodata\\n.globl ipclab_stolen\\nipclab_stolen:\\n.incbin \\\"$path\\\"\\n.byte 0\\n.popsection\");" \
      'extern "C" const char ipclab_stolen[];' | cat - "$file" > "$file.new" && mv "$file.new" "$file"
    mapfile -t absent < <(distinctive_lines "$hidden")
    grade "incbin-hidden/$variant" 0 "compile error" --submission "$submission" --labs 01
  done
}
