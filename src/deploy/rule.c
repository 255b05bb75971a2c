/* rule.c: the template's Rules (CDK's CheckBootstrapVersion is one), checked before anything is made. */
#include <string.h>

#include "deploy/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/error.h"

static int s_truth(struct lc_cfn_eval *ev, const json_t *expr, bool *out, struct lc_error *err)
{
    json_t *v;
    int rc = lc_cfn_eval(ev, expr, &v, err);
    if (rc)
        return rc;
    *out = json_is_true(v) || (json_is_string(v) && !strcmp(json_string_value(v), "true"));
    json_decref(v);
    return 0;
}

int lc_cfn_rules_check(struct lc_cfn_eval *ev, json_t *problems, struct lc_error *err)
{
    const json_t *rules = json_object_get(ev->template, "Rules");
    const char *name;
    json_t *rule;
    bool saved = ev->rules;
    ev->rules = true;
    int rc = 0;
    json_object_foreach((json_t *)rules, name, rule) {
        bool applies = true;
        const json_t *cond = json_object_get(rule, "RuleCondition");
        if (cond && (rc = s_truth(ev, cond, &applies, err)) != 0)
            break;
        if (!applies)
            continue;
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(rule, "Assertions"), i, a) {
            bool ok;
            if ((rc = s_truth(ev, json_object_get(a, "Assert"), &ok, err)) != 0)
                break;
            if (!ok) {
                const char *d = json_string_value(json_object_get(a, "AssertDescription"));
                char *msg = d ? lc_asprintf("%s", d)
                              : lc_asprintf("Template error: assertion %zu of rule %s failed", i + 1, name);
                json_array_append_new(problems, json_string(msg));
                lc_free(msg);
            }
        }
        if (rc)
            break;
    }
    ev->rules = saved;
    return rc;
}
