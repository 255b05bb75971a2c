/*
 * lc_test.h: the harness shared by every cmocka test program.
 * Each program registers its cases with cmocka_unit_test(name) in a `tests[]` array and ends with
 * LC_TEST_MAIN(tests). ctest runs the program once per case with the case's name as argv[1]
 * (cmake/LcTest.cmake), so each behaviour passes or fails on its own line.
 */
#ifndef LC_TEST_H
#define LC_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define LC_TEST_MAIN(tests)                                                              \
    int main(int argc, char **argv)                                                      \
    {                                                                                    \
        if (argc > 1)                                                                    \
            cmocka_set_test_filter(argv[1]);                                             \
        return cmocka_run_group_tests(tests, NULL, NULL);                                \
    }

/* The repository's root, for tests that read reference data (set by ctest). */
static inline const char *lc_test_source_dir(void)
{
    const char *d = getenv("LC_SOURCE_DIR");
    return d ? d : ".";
}

#endif
