/*
 * service_table.c: the services the server speaks. To add one, write src/api/svc_<name>.c defining
 * `const struct lc_api_service lc_api_svc_<name>` and add it to the list below (one line each).
 */
#include "api/service.h"

extern const struct lc_api_service lc_api_svc_dynamodb;
extern const struct lc_api_service lc_api_svc_lambda;
extern const struct lc_api_service lc_api_svc_iam;
extern const struct lc_api_service lc_api_svc_sts;
extern const struct lc_api_service lc_api_svc_cloudformation;
extern const struct lc_api_service lc_api_svc_monitoring;
extern const struct lc_api_service lc_api_svc_monitoring_json;
extern const struct lc_api_service lc_api_svc_monitoring_cbor;
extern const struct lc_api_service lc_api_svc_sns;

static const struct lc_api_service *const s_services[] = {
    &lc_api_svc_dynamodb,
    &lc_api_svc_lambda,
    &lc_api_svc_iam,
    &lc_api_svc_sts,
    &lc_api_svc_cloudformation,
    &lc_api_svc_monitoring,
    &lc_api_svc_monitoring_json,
    &lc_api_svc_monitoring_cbor,
    &lc_api_svc_sns,
    NULL,
};

const struct lc_api_service *const *lc_api_services = s_services;
