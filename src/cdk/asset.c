/*
 * asset.c: CDK's source fingerprint of an asset (core/lib/fs/fingerprint.js) and its staging copy
 * into the cloud assembly (asset.<hash>/).
 *
 * The fingerprint is sha256 over fields "\x01<key>\x02<value>\x03": the options, then for every
 * regular file of the directory (entries sorted by name, depth first) "file:<relative path>" with
 * "<size>:<sha256 of the content>", where text content (no NUL in the first 8 KiB chunk) is decoded
 * as UTF-8 chunk by chunk and has its CRLFs turned into LFs, exactly as Node does it. Symlinks inside
 * the asset are hashed as links; symlinks pointing outside are followed (SymlinkFollowMode.EXTERNAL).
 */
#include "cdk/internal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/hash.h"
#include "leastcloud/str.h"

#define CHUNK 8192

static void s_field(struct lc_buf *h, const char *key, const char *value)
{
    lc_buf_append_byte(h, '\x01');
    lc_buf_append_str(h, key);
    lc_buf_append_byte(h, '\x02');
    lc_buf_append_str(h, value);
    lc_buf_append_byte(h, '\x03');
}

/* Buffer.toString() of one chunk: UTF-8 with WHATWG replacement of invalid sequences. */
static void s_utf8_decode(const unsigned char *p, size_t n, struct lc_buf *out)
{
    static const char repl[] = "\xEF\xBF\xBD";
    size_t need = 0, seen = 0, start = 0;
    unsigned lower = 0x80, upper = 0xBF;
    for (size_t i = 0; i < n; i++) {
        unsigned b = p[i];
        if (need == 0) {
            if (b <= 0x7F) {
                lc_buf_append_byte(out, (char)b);
            } else if (b >= 0xC2 && b <= 0xDF) {
                need = 1, start = i;
            } else if (b >= 0xE0 && b <= 0xEF) {
                if (b == 0xE0)
                    lower = 0xA0;
                if (b == 0xED)
                    upper = 0x9F;
                need = 2, start = i;
            } else if (b >= 0xF0 && b <= 0xF4) {
                if (b == 0xF0)
                    lower = 0x90;
                if (b == 0xF4)
                    upper = 0x8F;
                need = 3, start = i;
            } else {
                lc_buf_append(out, repl, 3);
            }
            continue;
        }
        if (b < lower || b > upper) {
            need = seen = 0;
            lower = 0x80, upper = 0xBF;
            lc_buf_append(out, repl, 3);
            i--;  /* the byte starts over */
            continue;
        }
        lower = 0x80, upper = 0xBF;
        if (++seen == need) {
            lc_buf_append(out, p + start, need + 1);
            need = seen = 0;
        }
    }
    if (need)
        lc_buf_append(out, repl, 3);
}

static void s_crlf_to_lf(const struct lc_buf *in, struct lc_buf *out)
{
    for (size_t i = 0; i < in->len; i++) {
        if (in->data[i] == '\r' && i + 1 < in->len && in->data[i + 1] == '\n')
            continue;
        lc_buf_append_byte(out, in->data[i]);
    }
}

/* contentFingerprintMiss: "<size>:<sha256 hex>", or NULL with err. Caller frees. */
static char *s_content_fingerprint(const char *file, struct lc_error *err)
{
    FILE *f = fopen(file, "rb");
    if (!f) {
        lc_error_set(err, LC_EIO, 0, NULL, "Cannot read asset file %s: %s", file, strerror(errno));
        return NULL;
    }
    struct lc_buf hashed, last, str, norm;
    lc_buf_init(&hashed, LC_BUF_UNLIMITED);
    lc_buf_init(&last, LC_BUF_UNLIMITED);
    lc_buf_init(&str, LC_BUF_UNLIMITED);
    lc_buf_init(&norm, LC_BUF_UNLIMITED);
    unsigned char chunk[CHUNK];
    size_t size = 0, got;
    bool binary = false;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (size == 0)
            binary = memchr(chunk, 0, got) != NULL;
        if (binary) {
            size += got;
            lc_buf_append(&hashed, chunk, got);
            continue;
        }
        lc_buf_reset(&str);
        s_utf8_decode(chunk, got, &str);
        if (str.len && str.data[str.len - 1] == '\r') {
            lc_buf_append(&last, str.data, str.len);
            continue;
        }
        lc_buf_append(&last, str.data, str.len);
        lc_buf_reset(&norm);
        s_crlf_to_lf(&last, &norm);
        lc_buf_reset(&last);
        size += norm.len;
        lc_buf_append(&hashed, norm.data, norm.len);
    }
    bool failed = ferror(f);
    fclose(f);
    if (last.len)
        lc_buf_append(&hashed, last.data, last.len);  /* as CDK: hashed, but not counted */
    char hex[LC_SHA256_HEX_LEN + 1];
    lc_sha256_hex(hashed.data ? hashed.data : "", hashed.len, hex);
    lc_buf_free(&hashed);
    lc_buf_free(&last);
    lc_buf_free(&str);
    lc_buf_free(&norm);
    if (failed) {
        lc_error_set(err, LC_EIO, 0, NULL, "Cannot read asset file %s", file);
        return NULL;
    }
    return lc_asprintf("%zu:%s", size, hex);
}

struct walk {
    struct lc_buf *h;
    const char *root;  /* canonical root */
    size_t root_len;
    struct lc_error *err;
    int depth;
};

static const char *s_rel(const struct walk *w, const char *path)
{
    if (!strncmp(path, w->root, w->root_len) && path[w->root_len] == '/')
        return path + w->root_len + 1;
    return strcmp(path, w->root) ? path : "";
}

static bool s_internal(const struct walk *w, const char *target)
{
    return !strcmp(target, w->root) || (!strncmp(target, w->root, w->root_len) && target[w->root_len] == '/');
}

static int s_hash_file(struct walk *w, const char *symbolic, const char *real)
{
    char *fp = s_content_fingerprint(real, w->err);
    if (!fp)
        return LC_EIO;
    char *key = lc_asprintf("file:%s", s_rel(w, symbolic));
    s_field(w->h, key, fp);
    lc_free(key);
    lc_free(fp);
    return 0;
}

static int s_cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **s_sorted_entries(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    *n = 0;
    if (!d)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            names = lc_realloc(names, cap * sizeof *names);
        }
        names[(*n)++] = lc_strdup(e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof *names, s_cmp_names);
    return names;
}

static int s_walk(struct walk *w, const char *symbolic, const char *real);

static int s_visit(struct walk *w, const char *symbolic, const char *real)
{
    struct stat st;
    if (lstat(real, &st) != 0)
        return 0;
    if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlink(real, target, sizeof target - 1);
        if (n < 0)
            return 0;
        target[n] = '\0';
        const char *slash = strrchr(real, '/');
        int dirlen = slash ? (int)(slash - real) : 0;
        char *joined = target[0] == '/' ? lc_strdup(target) : lc_asprintf("%.*s/%s", dirlen, real, target);
        char canon[PATH_MAX];
        bool exists = realpath(joined, canon) != NULL;
        if (!exists) {
            /* path.resolve without the filesystem: good enough for a dangling link's identity. */
            lc_strlcpy(canon, joined, sizeof canon);
        }
        lc_free(joined);
        bool internal = s_internal(w, canon);
        struct stat ts;
        if (!internal && exists && stat(canon, &ts) == 0) {
            if (S_ISDIR(ts.st_mode))
                return s_walk(w, symbolic, canon);
            if (S_ISREG(ts.st_mode))
                return s_hash_file(w, symbolic, canon);
            return lc_error_set(w->err, LC_EINVAL, 0, NULL,
                                "Unable to hash %s: it is neither a file nor a directory", symbolic);
        }
        char *key = lc_asprintf("link:%s", s_rel(w, symbolic));
        s_field(w->h, key, internal && target[0] == '/' ? s_rel(w, canon) : target);
        lc_free(key);
        return 0;
    }
    if (S_ISDIR(st.st_mode))
        return s_walk(w, symbolic, real);
    if (S_ISREG(st.st_mode))
        return s_hash_file(w, symbolic, real);
    return 0;
}

static int s_walk(struct walk *w, const char *symbolic, const char *real)
{
    if (++w->depth > 64) {
        w->depth--;
        return 0;  /* a symlink cycle; CDK stops at ancestors already on the path */
    }
    size_t n;
    char **names = s_sorted_entries(real, &n);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0) {
            char *sym = lc_asprintf("%s/%s", symbolic, names[i]);
            char *rp = lc_asprintf("%s/%s", real, names[i]);
            rc = s_visit(w, sym, rp);
            lc_free(sym);
            lc_free(rp);
        }
        lc_free(names[i]);
    }
    lc_free(names);
    w->depth--;
    return rc;
}

int lc_cdk_asset_hash(const char *path, char out65[65], struct lc_error *err)
{
    char root[PATH_MAX];
    struct stat st;
    if (!path || !realpath(path, root) || stat(root, &st) != 0)
        return lc_error_set(err, LC_ENOTFOUND, 0, NULL, "Cannot find asset at %s", path ? path : "(null)");
    struct lc_buf h;
    lc_buf_init(&h, LC_BUF_UNLIMITED);
    s_field(&h, "options.extra", "");
    s_field(&h, "options.follow", "external");
    struct walk w = {.h = &h, .root = root, .root_len = strlen(root), .err = err};
    int rc;
    if (S_ISDIR(st.st_mode)) {
        rc = s_walk(&w, root, root);
    } else {
        char *fp = s_content_fingerprint(root, err);
        rc = fp ? 0 : LC_EIO;
        if (fp)
            s_field(&h, "file:", fp);
        lc_free(fp);
    }
    if (rc == 0)
        lc_sha256_hex(h.data, h.len, out65);
    lc_buf_free(&h);
    return rc;
}

/* ---- Staging --------------------------------------------------------------------------------- */

static int s_copy_file(const char *from, const char *to, mode_t mode, struct lc_error *err)
{
    size_t len;
    char *data = lc_file_read(from, (size_t)1 << 31, &len, err);
    if (!data)
        return LC_EIO;
    int rc = lc_file_write(to, data, len, (int)(mode & 0777), err);
    lc_free(data);
    return rc;
}

static int s_copy_tree(const char *root, const char *from, const char *to, struct lc_error *err, int depth)
{
    if (depth > 64)
        return 0;
    if (mkdir(to, 0755) != 0 && errno != EEXIST)
        return lc_error_set(err, LC_EIO, 0, NULL, "Cannot create %s: %s", to, strerror(errno));
    size_t n;
    char **names = s_sorted_entries(from, &n);
    int rc = 0;
    size_t root_len = strlen(root);
    for (size_t i = 0; i < n; i++) {
        char *src = lc_asprintf("%s/%s", from, names[i]);
        char *dst = lc_asprintf("%s/%s", to, names[i]);
        struct stat st;
        if (rc == 0 && lstat(src, &st) == 0) {
            if (S_ISLNK(st.st_mode)) {
                char canon[PATH_MAX], target[PATH_MAX];
                ssize_t tl = readlink(src, target, sizeof target - 1);
                bool exists = realpath(src, canon) != NULL;
                bool internal = exists && (!strncmp(canon, root, root_len) &&
                                           (canon[root_len] == '/' || canon[root_len] == '\0'));
                struct stat ts;
                if (tl >= 0 && (internal || !exists)) {
                    target[tl] = '\0';
                    if (symlink(target, dst) != 0 && errno != EEXIST)
                        rc = lc_error_set(err, LC_EIO, 0, NULL, "Cannot link %s: %s", dst, strerror(errno));
                } else if (exists && stat(canon, &ts) == 0) {
                    rc = S_ISDIR(ts.st_mode) ? s_copy_tree(root, canon, dst, err, depth + 1)
                                             : s_copy_file(canon, dst, ts.st_mode, err);
                }
            } else if (S_ISDIR(st.st_mode)) {
                rc = s_copy_tree(root, src, dst, err, depth + 1);
            } else if (S_ISREG(st.st_mode)) {
                rc = s_copy_file(src, dst, st.st_mode, err);
            }
        }
        lc_free(src);
        lc_free(dst);
        lc_free(names[i]);
    }
    lc_free(names);
    return rc;
}

int lc__asset_stage(const char *src, const char *outdir, const char *hash, struct lc_error *err)
{
    char root[PATH_MAX];
    struct stat st;
    if (!realpath(src, root) || stat(root, &st) != 0)
        return lc_error_set(err, LC_ENOTFOUND, 0, NULL, "Cannot find asset at %s", src);
    char *dst = lc_asprintf("%s/asset.%s", outdir, hash);
    int rc = 0;
    struct stat ds;
    if (stat(dst, &ds) != 0) {  /* already staged: the same hash means the same content */
        if (S_ISDIR(st.st_mode))
            rc = s_copy_tree(root, root, dst, err, 0);
        else
            rc = s_copy_file(root, dst, st.st_mode, err);
    }
    lc_free(dst);
    return rc;
}
