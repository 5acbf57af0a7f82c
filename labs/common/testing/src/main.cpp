// The main() of every test binary. Compiled into each test executable as a
// source file, never taken from an archive: a student file that defines main()
// then fails to link ("multiple definition of main") instead of silently
// replacing the test runner, as it could with gtest_main.a.
#include <gtest/gtest.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
