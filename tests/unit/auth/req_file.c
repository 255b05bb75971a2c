/* req_file.c: see req_file.h. */
#include "req_file.h"

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"

#include <string.h>

static struct lc_cur s_line(struct lc_cur *rest)
{
    struct lc_cur line;
    lc_cur_split(rest, '\n', &line);
    if (line.len && line.ptr[line.len - 1] == '\r')
        line.len--;
    return line;
}

int req_file_parse(struct req_file *rf, const char *text, size_t len)
{
    memset(rf, 0, sizeof *rf);
    rf->text = lc_malloc(len + 1);
    memcpy(rf->text, text, len);
    rf->text[len] = '\0';
    struct lc_cur rest = lc_cur_make(rf->text, len);
    struct lc_cur line = s_line(&rest), method;
    if (!lc_cur_split(&line, ' ', &method))
        return -1;
    /* The target runs to the last space: paths in the suite may contain spaces. */
    size_t end = line.len;
    while (end && line.ptr[end - 1] != ' ')
        end--;
    if (!end)
        return -1;
    rf->target = lc_cur_make(line.ptr, end - 1);
    struct lc_cur target = rf->target, path;
    struct lc_cur query = target;
    if (!lc_cur_split(&query, '?', &path))
        query = lc_cur_make(target.ptr + target.len, 0);
    rf->req.method = method;
    rf->req.path = path;
    rf->req.query = query;
    size_t n = 0;
    while (rest.len) {
        line = s_line(&rest);
        if (line.len == 0)
            break;
        if ((line.ptr[0] == ' ' || line.ptr[0] == '\t') && n) {
            /* Obsolete line folding: the value continues, newline and all. */
            struct lc_auth_header *h = &rf->headers[n - 1];
            char *joined = lc_asprintf(LC_CUR_PRI "\n" LC_CUR_PRI, LC_CUR_ARG(h->value),
                                       LC_CUR_ARG(line));
            lc_free(rf->folded[n - 1]);
            rf->folded[n - 1] = joined;
            h->value = lc_cur_from_str(joined);
            continue;
        }
        struct lc_cur name, value = line;
        if (!lc_cur_split(&value, ':', &name) || n == REQ_FILE_MAX_HEADERS)
            return -1;
        rf->headers[n].name = name;
        rf->headers[n].value = value;
        n++;
    }
    rf->req.headers = rf->headers;
    rf->req.header_count = n;
    rf->req.payload = rest.len ? rest.ptr : "";
    rf->req.payload_len = rest.len;
    return 0;
}

int req_file_load(struct req_file *rf, const char *path)
{
    size_t len;
    char *text = lc_file_read(path, 16 * 1024 * 1024, &len, NULL);
    if (!text) {
        memset(rf, 0, sizeof *rf);
        return -1;
    }
    int rc = req_file_parse(rf, text, len);
    lc_free(text);
    return rc;
}

void req_file_clean_up(struct req_file *rf)
{
    lc_free(rf->text);
    for (size_t i = 0; i < REQ_FILE_MAX_HEADERS; i++)
        lc_free(rf->folded[i]);
    memset(rf, 0, sizeof *rf);
}

int req_file_add_header(struct req_file *rf, const char *name, const char *value)
{
    size_t n = rf->req.header_count;
    if (n == REQ_FILE_MAX_HEADERS)
        return -1;
    rf->headers[n].name = lc_cur_from_str(name);
    rf->headers[n].value = lc_cur_from_str(value);
    rf->req.header_count = n + 1;
    return 0;
}

void req_file_remove_header(struct req_file *rf, const char *name)
{
    size_t out = 0;
    for (size_t i = 0; i < rf->req.header_count; i++) {
        if (lc_cur_eq_str_ci(rf->headers[i].name, name)) {
            lc_free(rf->folded[i]);
            rf->folded[i] = NULL;
            continue;
        }
        rf->headers[out] = rf->headers[i];
        rf->folded[out] = rf->folded[i];
        if (out != i)
            rf->folded[i] = NULL;
        out++;
    }
    rf->req.header_count = out;
}
