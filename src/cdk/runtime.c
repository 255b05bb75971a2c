/*
 * runtime.c: Lambda runtime names and their lifecycle dates, for CDK's deprecated-runtime finding
 * (CloudFormation Validate rule E2531, which `cdk synth` prints as a warning).
 *
 * The dates are cfn-lint's LmbdRuntimeLifecycle.json; nodejs14.x's update block is the date that
 * aws-cdk-lib 2.276's built-in validation prints ('2027-03-03'), so our warning reads as CDK's.
 */
#include "cdk/internal.h"

#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"

static const char *const s_names[] = {
    NULL,
#define S_NAME(e, name) name,
    LC_RUNTIME_MAP(S_NAME)
#undef S_NAME
};

const char *lc_runtime_name(lc_runtime r)
{
    if (r <= LC_RUNTIME_UNSET || r >= LC_RUNTIME__COUNT)
        return NULL;
    return s_names[r];
}

static const struct runtime_life s_life[] = {
    {"dotnet6", "2024-12-20", "2026-06-01", "2026-07-01", "dotnet9"},
    {"dotnet8", "2026-11-10", "2026-12-10", "2027-01-11", "dotnet9"},
    {"dotnetcore1.0", "2019-06-27", "2019-06-30", "2019-07-30", "dotnet9"},
    {"dotnetcore2.0", "2019-05-30", "2019-04-30", "2019-05-30", "dotnet9"},
    {"dotnetcore2.1", "2022-01-05", "2022-01-05", "2022-04-13", "dotnet9"},
    {"dotnetcore3.1", "2023-04-03", "2023-04-03", "2023-05-03", "dotnet9"},
    {"go1.x", "2024-01-08", "2024-02-08", "2026-07-01", "provided.al2023"},
    {"java11", "2026-06-30", "2026-07-31", "2026-08-31", "java25"},
    {"java17", "2026-06-30", "2026-07-31", "2026-08-31", "java25"},
    {"java21", "2029-06-30", "2029-07-31", "2029-08-31", "java25"},
    {"java25", "2029-06-30", "2029-07-31", "2029-08-31", NULL},
    {"java8", "2024-01-08", "2024-02-08", "2026-07-01", "java25"},
    {"java8.al2", "2026-06-30", "2026-07-31", "2026-08-31", "java25"},
    {"nodejs", "2016-08-30", "2016-09-30", "2016-10-31", "nodejs24.x"},
    {"nodejs10.x", "2021-07-30", "2021-07-30", "2022-02-14", "nodejs24.x"},
    {"nodejs12.x", "2023-03-31", "2023-03-31", "2023-04-30", "nodejs24.x"},
    {"nodejs14.x", "2023-12-04", "2024-01-09", "2027-03-03", "nodejs24.x"},
    {"nodejs16.x", "2024-06-12", "2026-06-01", "2026-07-01", "nodejs24.x"},
    {"nodejs18.x", "2025-09-01", "2026-06-01", "2026-07-01", "nodejs24.x"},
    {"nodejs20.x", "2026-04-30", "2026-06-01", "2026-07-01", "nodejs24.x"},
    {"nodejs22.x", "2027-04-30", "2027-06-01", "2027-07-01", "nodejs24.x"},
    {"nodejs24.x", "2028-04-30", "2028-06-01", "2028-07-01", NULL},
    {"nodejs4.3", "2020-03-05", "2020-02-03", "2020-03-05", "nodejs24.x"},
    {"nodejs4.3-edge", "2020-03-05", "2019-03-31", "2019-04-30", "nodejs24.x"},
    {"nodejs6.10", "2019-08-12", "2019-07-12", "2019-08-12", "nodejs24.x"},
    {"nodejs8.10", "2020-03-06", "2020-02-04", "2020-03-06", "nodejs24.x"},
    {"provided", "2024-01-08", "2024-02-08", "2026-07-01", "provided.al2023"},
    {"provided.al2", "2026-06-30", "2026-07-31", "2026-08-31", "provided.al2023"},
    {"provided.al2023", "2029-06-30", "2029-07-31", "2029-08-31", NULL},
    {"python2.7", "2021-07-15", "2021-07-15", "2022-05-30", "python3.14"},
    {"python3.10", "2026-06-30", "2026-07-31", "2026-08-31", "python3.14"},
    {"python3.11", "2026-06-30", "2026-07-31", "2026-08-31", "python3.14"},
    {"python3.12", "2028-10-31", "2028-11-30", "2029-01-10", "python3.14"},
    {"python3.13", "2029-06-30", "2029-07-31", "2029-08-31", "python3.14"},
    {"python3.14", "2029-06-30", "2029-07-31", "2029-08-31", NULL},
    {"python3.6", "2022-07-18", "2022-07-18", "2022-08-29", "python3.14"},
    {"python3.7", "2023-12-04", "2024-01-09", "2026-03-09", "python3.14"},
    {"python3.8", "2024-10-14", "2026-06-01", "2026-07-01", "python3.14"},
    {"python3.9", "2025-12-15", "2026-06-01", "2026-07-01", "python3.14"},
    {"ruby2.5", "2021-07-30", "2021-07-30", "2022-03-31", "ruby3.4"},
    {"ruby2.7", "2023-12-07", "2024-01-09", "2026-07-01", "ruby3.4"},
    {"ruby3.2", "2026-03-31", "2026-06-01", "2026-07-01", "ruby3.4"},
    {"ruby3.3", "2027-03-31", "2027-04-30", "2027-05-31", "ruby3.4"},
    {"ruby3.4", "2028-03-31", "2028-04-30", "2028-05-31", NULL},
};

const struct runtime_life *lc__runtime_life(const char *name)
{
    for (size_t i = 0; name && i < sizeof s_life / sizeof s_life[0]; i++)
        if (!strcmp(s_life[i].name, name))
            return &s_life[i];
    return NULL;
}

char *lc_cdk_runtime_warning(const char *runtime_name)
{
    const struct runtime_life *l = lc__runtime_life(runtime_name);
    if (!l)
        return NULL;
    char today[21];
    lc_time_format_iso(lc_clock_now_ms(), today);
    today[10] = '\0';
    if (strcmp(l->deprecated, today) > 0)
        return NULL;
    bool created = strcmp(l->create_block, today) <= 0, updated = strcmp(l->update_block, today) <= 0;
    char *succ = l->successor ? lc_asprintf(". Please consider updating to '%s'", l->successor) : lc_strdup("");
    char *msg = lc_asprintf("Runtime '%s' was deprecated on '%s'. Creation %s disabled on '%s', and "
                            "updates %s disabled on '%s'%s",
                            l->name, l->deprecated, created ? "was" : "will be", l->create_block,
                            updated ? "were" : "will be", l->update_block, succ);
    lc_free(succ);
    return msg;
}
