/* yaml.c: YAML templates, with CloudFormation's short forms (!Ref, !GetAtt, !Sub, ...), into JSON. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "deploy/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/error.h"

#define YAML_MAX_DEPTH 256

static bool s_is_int(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return false;
    if (s[0] == '0' && s[1])
        return false; /* "0123" stays a string, as CloudFormation keeps it */
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static bool s_is_float(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    size_t digits = 0;
    bool dot = false;
    for (; *s && *s != 'e' && *s != 'E'; s++) {
        if (*s == '.' && !dot)
            dot = true;
        else if (isdigit((unsigned char)*s))
            digits++;
        else
            return false;
    }
    if (!digits || !dot)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (!*s)
            return false;
        for (; *s; s++)
            if (!isdigit((unsigned char)*s))
                return false;
    }
    return true;
}

static json_t *s_plain_scalar(const char *s)
{
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
        return json_true();
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
        return json_false();
    if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
        return json_null();
    if (s_is_int(s) && strlen(s) < 19)
        return json_integer(strtoll(s, NULL, 10));
    if (s_is_float(s))
        return json_real(strtod(s, NULL));
    return json_string(s);
}

/* One conversion: the document and which of its nodes have been converted already. libyaml's loader
 * resolves an alias to the very node its anchor names, so a node reached twice was reached through an
 * alias; CloudFormation refuses aliases, and refusing them also stops alias bombs (each level doubling
 * the output) and an alias inside its own anchor's node (a cycle). */
struct s_conv {
    yaml_document_t *doc;
    unsigned char *seen; /* one byte per node of doc */
};

static json_t *s_node(struct s_conv *cv, yaml_node_t *node, int depth, struct lc_error *err);

/* Wraps a converted value for a short-form tag: !Ref x -> {"Ref": x}, !GetAtt a.b -> {"Fn::GetAtt":
 * ["a","b"]}, !Condition c -> {"Condition": c}, !Xyz v -> {"Fn::Xyz": v}. */
static json_t *s_short_form(const char *tag, json_t *value, bool scalar, struct lc_error *err)
{
    const char *name = tag + 1;
    if (!strcmp(name, "Ref") || !strcmp(name, "Condition"))
        return json_pack("{so}", name, value);
    if (!strcmp(name, "GetAtt") && scalar && json_is_string(value)) {
        const char *s = json_string_value(value);
        const char *dot = strchr(s, '.');
        if (!dot) {
            json_decref(value);
            lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                         "Template error: every Fn::GetAtt object requires two non-empty parameters");
            return NULL;
        }
        json_t *out = json_pack("{s[s#s]}", "Fn::GetAtt", s, (int)(dot - s), dot + 1);
        json_decref(value);
        return out;
    }
    char *key = lc_asprintf("Fn::%s", name);
    json_t *out = json_object();
    json_object_set_new(out, key, value);
    lc_free(key);
    return out;
}

static json_t *s_node(struct s_conv *cv, yaml_node_t *node, int depth, struct lc_error *err)
{
    yaml_document_t *doc = cv->doc;
    if (!node) {
        lc_error_set(err, LC_EINVAL, 400, "ValidationError", "Template format error: YAML not well-formed.");
        return NULL;
    }
    size_t index = (size_t)(node - doc->nodes.start);
    if (cv->seen[index]) {
        lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                     "Template error: YAML aliases are not allowed in CloudFormation templates (the node anchored "
                     "at line %zu, column %zu is used again through an alias; repeat it instead)",
                     node->start_mark.line + 1, node->start_mark.column + 1);
        return NULL;
    }
    cv->seen[index] = 1;
    if (depth > YAML_MAX_DEPTH) {
        lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                     "Template format error: YAML nested more than %d levels", YAML_MAX_DEPTH);
        return NULL;
    }
    const char *tag = node->tag ? (const char *)node->tag : "";
    bool short_form = tag[0] == '!' && tag[1] && tag[1] != '!';
    json_t *v = NULL;
    switch (node->type) {
    case YAML_SCALAR_NODE: {
        const char *s = (const char *)node->data.scalar.value;
        if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !short_form &&
            strcmp(tag, YAML_STR_TAG) == 0)
            v = s_plain_scalar(s);
        else
            v = json_stringn(s, node->data.scalar.length);
        if (!v)
            v = json_string("");
        break;
    }
    case YAML_SEQUENCE_NODE:
        v = json_array();
        for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top;
             it++) {
            json_t *e = s_node(cv, yaml_document_get_node(doc, *it), depth + 1, err);
            if (!e) {
                json_decref(v);
                return NULL;
            }
            json_array_append_new(v, e);
        }
        break;
    case YAML_MAPPING_NODE:
        v = json_object();
        for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            if (!k || k->type != YAML_SCALAR_NODE) {
                json_decref(v);
                lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                             "Template format error: YAML mapping keys must be scalars (line %zu)",
                             k ? k->start_mark.line + 1 : 0);
                return NULL;
            }
            size_t kindex = (size_t)(k - doc->nodes.start);
            if (cv->seen[kindex]) {
                json_decref(v);
                lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                             "Template error: YAML aliases are not allowed in CloudFormation templates (the key "
                             "anchored at line %zu is used again through an alias)", k->start_mark.line + 1);
                return NULL;
            }
            cv->seen[kindex] = 1;
            json_t *e = s_node(cv, yaml_document_get_node(doc, p->value), depth + 1, err);
            if (!e) {
                json_decref(v);
                return NULL;
            }
            json_object_set_new(v, (const char *)k->data.scalar.value, e);
        }
        break;
    default:
        lc_error_set(err, LC_EINVAL, 400, "ValidationError", "Template format error: YAML not well-formed.");
        return NULL;
    }
    if (short_form)
        return s_short_form(tag, v, node->type == YAML_SCALAR_NODE, err);
    return v;
}

json_t *lc_cfn_yaml_parse(const char *text, size_t len, struct lc_error *err)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        lc_error_set(err, LC_ENOMEM, 500, "InternalFailure", "cannot start the YAML parser");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                     "Template format error: YAML not well-formed. (line %zu, column %zu): %s",
                     parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                     parser.problem ? parser.problem : "syntax error");
        yaml_parser_delete(&parser);
        return NULL;
    }
    json_t *out = NULL;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root)
        lc_error_set(err, LC_EINVAL, 400, "ValidationError", "Template format error: empty template");
    else {
        struct s_conv cv = {&doc, lc_calloc((size_t)(doc.nodes.top - doc.nodes.start), 1)};
        out = s_node(&cv, root, 0, err);
        lc_free(cv.seen);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return out;
}
