/* schema.c: lookups in the generated schema table. */
#include "deploy/schema.h"

#include <string.h>

/* Not a registry type: CDK's analytics resource, which CloudFormation accepts and ignores. */
static const struct lc_cfn_prop s_cdk_metadata[] = {
    {"Analytics", 0},
    {"Modules", 0},
};
static const struct lc_cfn_type s_cdk_metadata_type = {"AWS::CDK::Metadata", s_cdk_metadata, 2};

const struct lc_cfn_type *lc_cfn_schema(const char *type)
{
    if (!type)
        return NULL;
    if (!strcmp(type, s_cdk_metadata_type.type))
        return &s_cdk_metadata_type;
    for (size_t i = 0; i < lc_cfn_types_count; i++)
        if (!strcmp(lc_cfn_types[i].type, type))
            return &lc_cfn_types[i];
    return NULL;
}

int lc_cfn_prop_flags(const struct lc_cfn_type *t, const char *name)
{
    for (size_t i = 0; i < t->n_props; i++)
        if (!strcmp(t->props[i].name, name))
            return (int)t->props[i].flags;
    return -1;
}

bool lc_cfn_has_attribute(const struct lc_cfn_type *t, const char *attr)
{
    size_t top = strcspn(attr, ".");
    for (size_t i = 0; i < t->n_props; i++)
        if ((t->props[i].flags & (LC_CFN_READ_ONLY | LC_CFN_ALSO_ATTRIBUTE)) && strlen(t->props[i].name) == top &&
            !strncmp(t->props[i].name, attr, top))
            return true;
    return false;
}
