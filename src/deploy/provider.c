/* provider.c: the resource types we deploy, and helpers their providers share. */
#include <stdlib.h>
#include <string.h>

#include "deploy/internal.h"
#include "leastcloud/alloc.h"

static const struct lc_provider *const s_providers[] = {
    &lc_provider_ddb_table,        &lc_provider_iam_role,         &lc_provider_iam_policy,
    &lc_provider_iam_managed_policy, &lc_provider_iam_user,       &lc_provider_iam_access_key,
    &lc_provider_iam_group,        &lc_provider_lambda_function,  &lc_provider_lambda_permission,
    &lc_provider_kms_key,          &lc_provider_sns_topic,        &lc_provider_sns_subscription,
    &lc_provider_cloudwatch_alarm, &lc_provider_cdk_metadata,
};

const struct lc_provider *lc_provider_find(const char *type)
{
    for (size_t i = 0; i < sizeof s_providers / sizeof s_providers[0]; i++)
        if (!strcmp(s_providers[i]->type, type))
            return s_providers[i];
    return NULL;
}

const char *lc_prov_str(const json_t *props, const char *key)
{
    return json_string_value(json_object_get(props, key));
}

char *lc_prov_name(const struct lc_provider_call *c, const json_t *props, const char *name_prop,
                   size_t max_len)
{
    const char *given = name_prop ? lc_prov_str(props, name_prop) : NULL;
    if (given && *given)
        return lc_strdup(given);
    return lc_cfn_physical_name(c->stack_name, c->logical_id, max_len);
}

char *lc_prov_policy_text(const json_t *doc)
{
    if (json_is_string(doc))
        return lc_strdup(json_string_value(doc));
    char *s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *out = lc_strdup(s ? s : "{}");
    free(s);
    return out;
}
