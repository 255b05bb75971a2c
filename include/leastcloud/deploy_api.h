/*
 * deploy_api.h: the thin additions the CloudFormation API needs from the deploy engine beyond
 * deploy.h (src/deploy/api_*.c, owned by the API's engineer; deploy.h stays the engine's).
 */
#ifndef LEASTCLOUD_DEPLOY_API_H
#define LEASTCLOUD_DEPLOY_API_H

#include <jansson.h>
#include <stddef.h>

struct lc_error;

/*
 * Parses a template body (JSON, or YAML with the short forms) into JSON exactly as the engine
 * does, without validating it. NULL with err (ValidationError "Template format error: ...") when
 * it does not parse. Caller owns the result (json_decref).
 */
json_t *lc_deploy_api_template_parse(const char *body, size_t len, struct lc_error *err);

#endif
