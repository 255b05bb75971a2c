/* managed_policy.c: AWS-managed policies appear in the account the first time a template names them. */
#include "deploy/managed_policy.h"

#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/store_iam.h"
#include "leastcloud/str.h"

int lc_deploy_managed_policy_ensure(struct lc_store *store, const char *arn, struct lc_error *err)
{
    char *doc = lc_store_managed_policy_document(store, arn, NULL);
    if (doc) {
        lc_free(doc);
        return 0;
    }
    /* arn:<partition>:iam::aws:policy<path><name> */
    const char *p = strstr(arn, ":iam::aws:policy/");
    if (p && lc_str_starts_with(arn, "arn:")) {
        const char *path_name = p + strlen(":iam::aws:policy");
        for (size_t i = 0; i < lc_aws_managed_policies_count; i++) {
            const struct lc_aws_managed_policy *m = &lc_aws_managed_policies[i];
            size_t plen = strlen(m->path);
            if (!strncmp(path_name, m->path, plen) && !strcmp(path_name + plen, m->name))
                return lc_store_managed_policy_create(store, m->name, m->path, m->document, NULL, true,
                                                      NULL, err);
        }
    }
    return lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity",
                        "Policy %s does not exist or is not attachable.", arn);
}
