/* schema.h: what CloudFormation's resource schemas say about the types we deploy (schema_table.c is
 * generated from cfn-lint's copy by scripts/cfn-gen-schema-table.py). */
#ifndef LC_DEPLOY_SCHEMA_H
#define LC_DEPLOY_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

enum {
    LC_CFN_REQUIRED = 1,     /* must be given */
    LC_CFN_CREATE_ONLY = 2,  /* a change replaces the resource */
    LC_CFN_READ_ONLY = 4,    /* an attribute: Fn::GetAtt reads it, the template may not set it */
    LC_CFN_ALSO_ATTRIBUTE = 8, /* a settable property that Fn::GetAtt can read too */
};

struct lc_cfn_prop {
    const char *name;
    unsigned flags;
};

struct lc_cfn_type {
    const char *type;
    const struct lc_cfn_prop *props;
    size_t n_props;
};

extern const struct lc_cfn_type lc_cfn_types[];
extern const size_t lc_cfn_types_count;

/* The schema of `type`, or NULL when we do not deploy it. AWS::CDK::Metadata has its own entry. */
const struct lc_cfn_type *lc_cfn_schema(const char *type);
/* The property's flags, or -1 when the type has no such property. */
int lc_cfn_prop_flags(const struct lc_cfn_type *t, const char *name);
/* True when Fn::GetAtt may read `attr` (a read-only property, or a dotted path below one). */
bool lc_cfn_has_attribute(const struct lc_cfn_type *t, const char *attr);

#endif
