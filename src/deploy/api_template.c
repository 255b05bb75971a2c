/* api_template.c: the engine's template parser, for the CloudFormation API (deploy_api.h). */
#include "leastcloud/deploy_api.h"

#include "deploy/internal.h"

json_t *lc_deploy_api_template_parse(const char *body, size_t len, struct lc_error *err)
{
    return lc_cfn_template_parse(body, len, err);
}
