/* A minimal test harness for the C suites: CHECK records a failure and goes on. */
#ifndef OREG_TEST_CHECK_H
#define OREG_TEST_CHECK_H
#include <stdio.h>

static int checks_failed_in_test;
static int tests_passed;
static int tests_failed;

#define CHECK(condition)                                                                \
    do {                                                                                \
        if (!(condition)) {                                                             \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #condition); \
            checks_failed_in_test++;                                                    \
        }                                                                               \
    } while (0)

#define RUN(test)                                                                       \
    do {                                                                                \
        checks_failed_in_test = 0;                                                      \
        test();                                                                         \
        if (checks_failed_in_test) { tests_failed++; printf("FAIL %s\n", #test); }      \
        else { tests_passed++; printf("ok   %s\n", #test); }                            \
    } while (0)

#define SUMMARY(suite)                                                                  \
    (printf("%s: %d passed, %d failed\n", (suite), tests_passed, tests_failed), tests_failed ? 1 : 0)

#endif
