/* iam_xml.c: the XML shapes of IAM's results (botocore iam/2010-05-08: User, Role, Group, Tag, ...). */
#include "api/iam_api.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/str.h"

void lc__iam_xml_time(struct lc_buf *b, const char *name, int64_t ms)
{
    char iso[21];
    lc_time_format_iso(ms, iso);
    lc_api_xml_elem(b, name, iso);
}

/* IAM percent-encodes documents (RFC 3986 unreserved characters kept), then XML-escapes. */
void lc__iam_xml_doc(struct lc_buf *b, const char *name, const char *doc)
{
    static const char hex[] = "0123456789ABCDEF";
    lc_buf_appendf(b, "<%s>", name);
    for (const unsigned char *p = (const unsigned char *)(doc ? doc : ""); *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-_.~", *p)) {
            lc_buf_append_byte(b, (char)*p);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            lc_buf_append(b, e, 3);
        }
    }
    lc_buf_appendf(b, "</%s>", name);
}

void lc__iam_xml_bool(struct lc_buf *b, const char *name, bool v)
{
    lc_buf_appendf(b, "<%s>%s</%s>", name, v ? "true" : "false", name);
}

void lc__iam_xml_int(struct lc_buf *b, const char *name, long long v)
{
    lc_buf_appendf(b, "<%s>%lld</%s>", name, v, name);
}

struct s_tags {
    struct lc_buf *b;
    size_t n;
    bool always;
};

static int s_tag(const char *key, const char *value, void *ud)
{
    struct s_tags *t = ud;
    if (t->n++ == 0)
        lc_buf_append_str(t->b, "<Tags>");
    lc_buf_append_str(t->b, "<member>");
    lc_api_xml_elem(t->b, "Key", key);
    lc_api_xml_elem(t->b, "Value", value);
    lc_buf_append_str(t->b, "</member>");
    return 0;
}

void lc__iam_xml_tags(struct lc_api_call *call, struct lc_buf *b, const char *arn, bool always)
{
    struct s_tags t = {b, 0, always};
    lc__iam_tags_list(call->store, arn, s_tag, &t);
    if (t.n)
        lc_buf_append_str(b, "</Tags>");
    else if (always)
        lc_buf_append_str(b, "<Tags/>");
}

static void s_boundary(struct lc_buf *b, const struct lc_store_principal *p)
{
    if (!p->boundary_arn[0])
        return;
    lc_buf_append_str(b, "<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType>");
    lc_api_xml_elem(b, "PermissionsBoundaryArn", p->boundary_arn);
    lc_buf_append_str(b, "</PermissionsBoundary>");
}

void lc__iam_xml_user(struct lc_api_call *call, struct lc_buf *b, const struct lc_store_principal *p, bool tags)
{
    lc_api_xml_elem(b, "Path", p->path);
    lc_api_xml_elem(b, "UserName", p->name);
    lc_api_xml_elem(b, "UserId", p->id);
    lc_api_xml_elem(b, "Arn", p->arn);
    lc__iam_xml_time(b, "CreateDate", p->created_ms);
    s_boundary(b, p);
    if (tags)
        lc__iam_xml_tags(call, b, p->arn, false);
}

void lc__iam_xml_role_detail(struct lc_api_call *call, struct lc_buf *b, const struct lc_store_principal *p)
{
    lc_api_xml_elem(b, "Path", p->path);
    lc_api_xml_elem(b, "RoleName", p->name);
    lc_api_xml_elem(b, "RoleId", p->id);
    lc_api_xml_elem(b, "Arn", p->arn);
    lc__iam_xml_time(b, "CreateDate", p->created_ms);
    char *trust = lc_store_role_trust_policy(call->store, p->arn, NULL);
    if (trust)
        lc__iam_xml_doc(b, "AssumeRolePolicyDocument", trust);
    lc_free(trust);
    s_boundary(b, p);
}

void lc__iam_xml_role(struct lc_api_call *call, struct lc_buf *b, const struct lc_store_principal *p, bool tags)
{
    lc_api_xml_elem(b, "Path", p->path);
    lc_api_xml_elem(b, "RoleName", p->name);
    lc_api_xml_elem(b, "RoleId", p->id);
    lc_api_xml_elem(b, "Arn", p->arn);
    lc__iam_xml_time(b, "CreateDate", p->created_ms);
    char *trust = lc_store_role_trust_policy(call->store, p->arn, NULL);
    if (trust)
        lc__iam_xml_doc(b, "AssumeRolePolicyDocument", trust);
    lc_free(trust);
    char desc[1024];
    int max_s;
    lc__iam_role_meta_get(call->store, p->arn, desc, sizeof desc, &max_s);
    if (desc[0])
        lc_api_xml_elem(b, "Description", desc);
    lc__iam_xml_int(b, "MaxSessionDuration", max_s);
    s_boundary(b, p);
    if (tags) {
        lc__iam_xml_tags(call, b, p->arn, false);
        lc_buf_append_str(b, "<RoleLastUsed/>");
    }
}

void lc__iam_xml_group(struct lc_buf *b, const struct lc_store_principal *p)
{
    lc_api_xml_elem(b, "Path", p->path);
    lc_api_xml_elem(b, "GroupName", p->name);
    lc_api_xml_elem(b, "GroupId", p->id);
    lc_api_xml_elem(b, "Arn", p->arn);
    lc__iam_xml_time(b, "CreateDate", p->created_ms);
}

static int s_attached(const char *policy_arn, void *ud)
{
    struct lc_buf *b = ud;
    const char *slash = strrchr(policy_arn, '/');
    lc_buf_append_str(b, "<member>");
    lc_api_xml_elem(b, "PolicyName", slash ? slash + 1 : policy_arn);
    lc_api_xml_elem(b, "PolicyArn", policy_arn);
    lc_buf_append_str(b, "</member>");
    return 0;
}

int lc__iam_xml_attached(struct lc_api_call *call, struct lc_buf *b, const char *elem, const char *arn,
                         struct lc_error *err)
{
    lc_buf_appendf(b, "<%s>", elem);
    int rc = lc_store_attached_list(call->store, arn, s_attached, b, err);
    lc_buf_appendf(b, "</%s>", elem);
    return rc;
}
