# ipclab_add_lab(): one lab = a library built from the chosen implementation,
# its demo programs, and its public (and, when asked, hidden) test binaries.
#
#   ipclab_add_lab(APPS server client TIMEOUT 30)
#   ipclab_add_lab(HIDDEN_LINK_OPTIONS -Wl,--wrap=mq_notify)
#
# HIDDEN_LINK_OPTIONS go to the hidden test binary's link: for link-time
# interposition (--wrap=SYMBOL), the way a hidden test makes a race happen
# every time instead of hoping to hit it. The wrapper is defined by the tests.
#
# The student's files are the *.cpp of this lab's src/ folder in the course tree:
# the course decides which files exist; IPCLAB_IMPL only decides where they come from.

set(IPCLAB_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)

function(ipclab_target_defaults target)
  target_compile_options(${target} PRIVATE ${IPCLAB_WARNINGS})
  if(IPCLAB_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# The course's own code (labs/common and the tests, never a lab's src/ or
# apps/): the same flags in every build of a checkout (CMakeLists.txt,
# IPCLAB_COURSE_CODE_OPTIONS).
function(ipclab_course_code target)
  ipclab_target_defaults(${target})
  target_compile_options(${target} PRIVATE ${IPCLAB_COURSE_CODE_OPTIONS})
endfunction()

function(ipclab_add_lab)
  cmake_parse_arguments(LAB "" "TIMEOUT" "APPS;HIDDEN_LINK_OPTIONS" ${ARGN})
  get_filename_component(lab_id "${CMAKE_CURRENT_SOURCE_DIR}" NAME)  # 01-fifo
  string(SUBSTRING "${lab_id}" 0 2 nn)                              # 01
  if(NOT LAB_TIMEOUT)
    set(LAB_TIMEOUT 30)
  endif()

  set(lib lab${nn})
  if(IPCLAB_PREBUILT)
    _ipclab_prebuilt_lab(${lib} ${lab_id})
  else()
    file(GLOB course_sources CONFIGURE_DEPENDS RELATIVE "${CMAKE_CURRENT_SOURCE_DIR}/src"
         "${CMAKE_CURRENT_SOURCE_DIR}/src/*.cpp")
    set(sources "")
    foreach(name IN LISTS course_sources)
      set(file "${IPCLAB_IMPL_ROOT}/${lab_id}/src/${name}")
      if(NOT EXISTS "${file}")
        message(FATAL_ERROR "${file} is missing: lab ${lab_id} needs src/${name}. "
          "Restore it (git checkout -- labs/${lab_id}/src/${name}) or regenerate with ./ipclab skeletons.")
      endif()
      list(APPEND sources "${file}")
    endforeach()
    add_library(${lib} STATIC ${sources})
    target_include_directories(${lib} PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}/include")
    target_link_libraries(${lib} PUBLIC ipclab_common)
    ipclab_target_defaults(${lib})
  endif()

  add_custom_target(lab${nn}_all)
  add_dependencies(lab${nn}_all ${lib})

  if(IPCLAB_PREBUILT)
    set(LAB_APPS "")  # the grader builds only what it grades
  endif()
  foreach(app IN LISTS LAB_APPS)
    add_executable(${app} "apps/${app}.cpp")
    target_link_libraries(${app} PRIVATE ${lib})
    ipclab_target_defaults(${app})
    add_dependencies(lab${nn}_all ${app})
  endforeach()

  # apps/demo_test.sh runs the demo programs the way the handout tells readers to.
  if(LAB_APPS AND EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/apps/demo_test.sh")
    add_test(NAME lab${nn}.demo COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/apps/demo_test.sh"
                                        "${CMAKE_CURRENT_BINARY_DIR}")
    set_tests_properties(lab${nn}.demo PROPERTIES LABELS "lab${nn};demo" TIMEOUT 60)
  endif()

  _ipclab_add_tests(${nn} public "${CMAKE_CURRENT_SOURCE_DIR}/tests" ${LAB_TIMEOUT} "")
  set(hidden_dir "${PROJECT_SOURCE_DIR}/grader/hidden/${lab_id}")
  if(IPCLAB_HIDDEN_TESTS AND IS_DIRECTORY "${hidden_dir}")
    _ipclab_add_tests(${nn} hidden "${hidden_dir}" ${LAB_TIMEOUT} "${LAB_HIDDEN_LINK_OPTIONS}")
  endif()

  # `cmake --build build --target check01`: build this lab and run its tests.
  add_custom_target(check${nn}
    COMMAND ${CMAKE_CTEST_COMMAND} -L lab${nn} --output-on-failure
    WORKING_DIRECTORY "${CMAKE_BINARY_DIR}" USES_TERMINAL)
  add_dependencies(check${nn} lab${nn}_all)
endfunction()

function(_ipclab_add_tests nn kind dir timeout link_options)
  file(GLOB test_sources CONFIGURE_DEPENDS "${dir}/*_test.cpp")
  if(NOT test_sources)
    return()
  endif()
  set(exe lab${nn}_${kind}_tests)
  # The objects apart from the executable: the grader builds them (trusted code
  # only) before it compiles a submission, and then only links.
  add_library(${exe}_objects OBJECT ${test_sources})
  target_link_libraries(${exe}_objects PRIVATE lab${nn} ipclab_testing GTest::gmock GTest::gtest)
  ipclab_course_code(${exe}_objects)
  add_executable(${exe} $<TARGET_OBJECTS:${exe}_objects> $<TARGET_OBJECTS:ipclab_test_main>)
  target_link_libraries(${exe} PRIVATE lab${nn} ipclab_testing GTest::gmock GTest::gtest)
  target_link_options(${exe} PRIVATE ${link_options})
  add_dependencies(lab${nn}_all ${exe})
  # The grader's negative controls (hidden tests that must fail: "controls" in
  # the lab's rubric) are not ctest tests.
  set(filter "*")
  set(rubric "${PROJECT_SOURCE_DIR}/grader/rubric/${lab_id}.json")
  if(kind STREQUAL "hidden" AND EXISTS "${rubric}")
    # A control added to the rubric must leave ctest at the next build.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${rubric}")
    file(READ "${rubric}" rubric_text)
    string(JSON count ERROR_VARIABLE no_controls LENGTH "${rubric_text}" controls)
    if(NOT no_controls AND count GREATER 0)
      math(EXPR last "${count} - 1")
      set(filter "*-")
      foreach(i RANGE ${last})
        string(JSON control GET "${rubric_text}" controls ${i})
        string(APPEND filter "${control}:")
      endforeach()
    endif()
  endif()
  # PRE_TEST: list the tests when ctest runs, not at build time, so the student's
  # edit-build-test loop never pays for it and a skeleton that crashes on
  # start-up is reported as a failing test rather than a failing build.
  gtest_discover_tests(${exe}
    TEST_PREFIX "lab${nn}.${kind}."
    TEST_FILTER "${filter}"
    DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS "lab${nn};${kind}" TIMEOUT ${timeout})
endfunction()

# The grader's mode (IPCLAB_PREBUILT=DIR): the lab's library is not compiled by
# this build but imported from DIR/NN-topic/liblabNN.a, which the grader makes
# from the student's files compiled in its sandbox. This build compiles only
# trusted code (common, testing, tests) and links. What the sandboxed compile
# needs is written to grader-compile/NN-topic.txt: the compiler, its flags and
# the lab's public include folders, one per line.
function(_ipclab_prebuilt_lab lib lab_id)
  add_library(${lib} STATIC IMPORTED GLOBAL)
  set_target_properties(${lib} PROPERTIES
    IMPORTED_LOCATION "${IPCLAB_PREBUILT}/${lab_id}/lib${lib}.a"
    INTERFACE_INCLUDE_DIRECTORIES "${CMAKE_CURRENT_SOURCE_DIR}/include"
    INTERFACE_LINK_LIBRARIES ipclab_common
    # -I, not -isystem: the tests' objects then compile exactly as in a
    # student's build, and the two share them (IPCLAB_CCACHE). CMake 3.23+.
    IMPORTED_NO_SYSTEM TRUE)
  string(TOUPPER "${CMAKE_BUILD_TYPE}" type)
  separate_arguments(flags UNIX_COMMAND
    "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${type}} ${CMAKE_CXX20_STANDARD_COMPILE_OPTION}")
  list(APPEND flags ${IPCLAB_WARNINGS})
  if(IPCLAB_WERROR)
    list(APPEND flags -Werror)
  endif()
  set(text "compiler ${CMAKE_CXX_COMPILER}\n")
  foreach(flag IN LISTS flags)
    string(APPEND text "flag ${flag}\n")
  endforeach()
  get_target_property(common_includes ipclab_common INTERFACE_INCLUDE_DIRECTORIES)
  foreach(dir "${CMAKE_CURRENT_SOURCE_DIR}/include" ${common_includes})
    string(APPEND text "include ${dir}\n")
  endforeach()
  file(WRITE "${CMAKE_BINARY_DIR}/grader-compile/${lab_id}.txt" "${text}")
endfunction()
