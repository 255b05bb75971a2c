# lc_add_unit_test(<module> <source>): builds one cmocka test program from <source> and registers
# every `cmocka_unit_test(name)` (or `SOME_TEST(name)` wrapper macro) in it as its own ctest case, named <module>.<name>, so that ctest
# lists behaviours, not files. The program runs only the case named in argv[1] (see tests/unit/lc_test.h).
function(lc_add_unit_test module source)
  get_filename_component(stem ${source} NAME_WE)
  set(target ${module}_${stem})
  add_executable(${target} ${source})
  target_include_directories(${target} PRIVATE ${LC_SOURCE_DIR}/tests/unit ${LC_SOURCE_DIR}/src)
  target_link_libraries(${target} PRIVATE lc_${module} PkgConfig::CMOCKA ${ARGN})
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  file(READ ${source} text)
  string(REGEX MATCHALL "(cmocka_unit_test(_setup_teardown)?|[A-Z][A-Z0-9_]*_TEST)\\([a-zA-Z0-9_]+" cases "${text}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${source})
  foreach(c ${cases})
    string(REGEX REPLACE ".*\\(" "" name "${c}")
    add_test(NAME ${module}.${name} COMMAND ${target} ${name})
    set_tests_properties(${module}.${name} PROPERTIES LABELS "unit;${module}" TIMEOUT 120
                         ENVIRONMENT "LC_SOURCE_DIR=${LC_SOURCE_DIR};LC_BUILD_DIR=${CMAKE_BINARY_DIR}")
  endforeach()
endfunction()

# lc_module(<module> <deps...>): a static library of every .c in the folder.
function(lc_module module)
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.c)
  if(sources)
    add_library(lc_${module} STATIC ${sources})
  else()
    add_library(lc_${module} INTERFACE)
  endif()
  get_target_property(type lc_${module} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(lc_${module} INTERFACE ${LC_SOURCE_DIR}/include ${LC_SOURCE_DIR}/src)
    target_link_libraries(lc_${module} INTERFACE ${ARGN})
  else()
    target_include_directories(lc_${module} PUBLIC ${LC_SOURCE_DIR}/include PRIVATE ${LC_SOURCE_DIR}/src)
    target_link_libraries(lc_${module} PUBLIC ${ARGN})
  endif()
endfunction()

# lc_fuzz_target(<module> <name> [libs...]): the libFuzzer program fuzz_<name> from fuzz_<name>.c in
# the calling folder, with lc_<module> instrumented for coverage, and the ctest case
# <module>.fuzz_<name>_corpus that replays the folder's committed corpus/. Only with clang and
# LC_FUZZ=ON (add LC_SANITIZE=ON for ASan+UBSan); tests/fuzz/run.sh runs every target for a while.
function(lc_fuzz_target module name)
  if(NOT (LC_FUZZ AND CMAKE_C_COMPILER_ID STREQUAL "Clang"))
    return()
  endif()
  set(target fuzz_${name})
  target_compile_options(lc_${module} PRIVATE -fsanitize=fuzzer-no-link)
  add_executable(${target} ${target}.c)
  target_include_directories(${target} PRIVATE ${LC_SOURCE_DIR}/src)
  target_compile_options(${target} PRIVATE -fsanitize=fuzzer)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${target} PRIVATE lc_${module} ${ARGN})
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${module}.${target}_corpus COMMAND ${target} -runs=0 ${CMAKE_CURRENT_SOURCE_DIR}/corpus)
  set_tests_properties(${module}.${target}_corpus PROPERTIES LABELS "fuzz;${module}" TIMEOUT 300)
endfunction()
