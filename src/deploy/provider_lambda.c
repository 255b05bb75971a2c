/* provider_lambda.c: AWS::Lambda::Function (configuration + code kept in the state) and
 * AWS::Lambda::Permission (statements of the function's resource policy). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "deploy/internal.h"
#include "deploy/runtime.h"
#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/error.h"
#include "leastcloud/hash.h"
#include "leastcloud/json.h"
#include "leastcloud/store_iam.h"
#include "leastcloud/store_lambda.h"
#include "leastcloud/str.h"

const struct lc_lambda_runtime_life *lc_lambda_runtime_life(const char *runtime)
{
    for (size_t i = 0; runtime && i < lc_lambda_runtime_lives_count; i++)
        if (!strcmp(lc_lambda_runtime_lives[i].name, runtime))
            return &lc_lambda_runtime_lives[i];
    return NULL;
}

/* ---- files ---- */

static int s_mkdirs(const char *path, struct lc_error *err)
{
    char *p = lc_strdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            int rc = lc_error_set(err, LC_EIO, 500, "InternalFailure", "cannot create %s: %s", p, strerror(errno));
            lc_free(p);
            return rc;
        }
        *s = '/';
    }
    int rc = 0;
    if (mkdir(p, 0700) != 0 && errno != EEXIST)
        rc = lc_error_set(err, LC_EIO, 500, "InternalFailure", "cannot create %s: %s", p, strerror(errno));
    lc_free(p);
    return rc;
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entry names of a directory (without . and ..); caller frees each and the array. */
static char **s_list(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        names = lc_realloc(names, (*n + 1) * sizeof *names);
        names[(*n)++] = lc_strdup(e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof *names, s_cmp);
    return names;
}

static void s_free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lc_free(names[i]);
    lc_free(names);
}

/* Copies the tree src into dst, hashing relative paths and contents in sorted order into `hash`
 * (a running buffer of "path\0sha\n" lines) and counting bytes. */
static int s_copy_tree(const char *src, const char *dst, const char *rel, struct lc_buf *hash, int64_t *bytes,
                       struct lc_error *err)
{
    int rc = s_mkdirs(dst, err);
    if (rc)
        return rc;
    size_t n;
    char **names = s_list(src, &n);
    for (size_t i = 0; i < n && !rc; i++) {
        char *s = lc_asprintf("%s/%s", src, names[i]);
        char *d = lc_asprintf("%s/%s", dst, names[i]);
        char *r = *rel ? lc_asprintf("%s/%s", rel, names[i]) : lc_strdup(names[i]);
        struct stat st;
        if (stat(s, &st) != 0) {
            /* a dangling link: CDK skips it too */
        } else if (S_ISDIR(st.st_mode)) {
            rc = s_copy_tree(s, d, r, hash, bytes, err);
        } else if (S_ISREG(st.st_mode)) {
            size_t len;
            char *data = lc_file_read(s, (size_t)1 << 30, &len, err);
            if (!data) {
                rc = err ? err->code : LC_EIO;
            } else {
                rc = lc_file_write(d, data, len, (st.st_mode & 0111) ? 0755 : 0644, err);
                char hex[65];
                lc_sha256_hex(data, len, hex);
                lc_buf_appendf(hash, "%s\t%s\n", r, hex);
                *bytes += (int64_t)len;
                lc_free(data);
            }
        }
        lc_free(s);
        lc_free(d);
        lc_free(r);
    }
    s_free_list(names, n);
    return rc;
}

static void s_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        size_t n;
        char **names = s_list(path, &n);
        for (size_t i = 0; i < n; i++) {
            char *p = lc_asprintf("%s/%s", path, names[i]);
            s_remove_tree(p);
            lc_free(p);
        }
        s_free_list(names, n);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int s_unzip(const char *zip_path, const char *dst, struct lc_buf *hash, int64_t *bytes,
                   struct lc_error *err)
{
    int zerr = 0;
    zip_t *z = zip_open(zip_path, ZIP_RDONLY, &zerr);
    if (!z)
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValueException",
                            "Could not unzip uploaded file. Please check your file, then try to upload again.");
    int rc = s_mkdirs(dst, err);
    zip_int64_t n = zip_get_num_entries(z, 0);
    for (zip_int64_t i = 0; i < n && !rc; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        if (!name || strstr(name, "..") || name[0] == '/')
            continue; /* never write outside the code directory */
        char *path = lc_asprintf("%s/%s", dst, name);
        if (lc_str_ends_with(name, "/")) {
            rc = s_mkdirs(path, err);
        } else {
            char *slash = strrchr(path, '/');
            *slash = '\0';
            rc = s_mkdirs(path, err);
            *slash = '/';
            zip_stat_t zs;
            zip_file_t *f = rc ? NULL : zip_fopen_index(z, (zip_uint64_t)i, 0);
            if (f && zip_stat_index(z, (zip_uint64_t)i, 0, &zs) == 0) {
                char *data = lc_malloc(zs.size + 1);
                zip_int64_t got = zip_fread(f, data, zs.size);
                if (got == (zip_int64_t)zs.size) {
                    rc = lc_file_write(path, data, (size_t)got, 0644, err);
                    char hex[65];
                    lc_sha256_hex(data, (size_t)got, hex);
                    lc_buf_appendf(hash, "%s\t%s\n", name, hex);
                    *bytes += got;
                }
                lc_free(data);
            }
            if (f)
                zip_fclose(f);
        }
        lc_free(path);
    }
    zip_discard(z);
    return rc;
}

/* ---- where the code comes from ---- */

/* The local source of an S3 object key: the cloud assembly's *.assets.json maps the key to an
 * asset directory or file. Returns a new absolute path or NULL. */
static char *s_asset_source(const char *assets_dir, const char *key)
{
    if (!assets_dir || !key)
        return NULL;
    size_t n;
    char **names = s_list(assets_dir, &n);
    char *found = NULL;
    for (size_t i = 0; i < n && !found; i++) {
        if (!lc_str_ends_with(names[i], ".assets.json"))
            continue;
        char *path = lc_asprintf("%s/%s", assets_dir, names[i]);
        json_t *m = lc_json_load_file(path, NULL);
        lc_free(path);
        const char *hash;
        json_t *file;
        json_object_foreach(json_object_get(m, "files"), hash, file) {
            const char *dk;
            json_t *dest;
            json_object_foreach(json_object_get(file, "destinations"), dk, dest) {
                const char *object_key = json_string_value(json_object_get(dest, "objectKey"));
                const char *src = json_string_value(json_object_get(json_object_get(file, "source"), "path"));
                if (!found && object_key && src && !strcmp(object_key, key))
                    found = src[0] == '/' ? lc_strdup(src) : lc_asprintf("%s/%s", assets_dir, src);
            }
        }
        json_decref(m);
    }
    s_free_list(names, n);
    if (!found) {
        /* Without a manifest, CDK's convention still finds it: <hash>.zip -> asset.<hash>. */
        const char *dot = strrchr(key, '.');
        char *p = lc_asprintf("%s/asset.%.*s", assets_dir, dot ? (int)(dot - key) : (int)strlen(key), key);
        struct stat st;
        if (stat(p, &st) == 0)
            found = p;
        else
            lc_free(p);
    }
    return found;
}

/* Unpacks the function's code under the state directory; fills dir, sha (base64) and size. */
static int s_install_code(const struct lc_provider_call *c, const char *fn_name, const json_t *props, char **dir,
                          char **sha, int64_t *size, struct lc_error *err)
{
    const json_t *code = json_object_get(props, "Code");
    const char *runtime = lc_prov_str(props, "Runtime");
    struct lc_buf hash;
    lc_buf_init(&hash, LC_BUF_UNLIMITED);
    char tmp_name[64];
    lc_store_random_id("tmp-", 12, tmp_name);
    char *staging = lc_asprintf("%s/lambda/%s/%s", lc_store_dir(c->store), fn_name, tmp_name);
    int rc = 0;
    *size = 0;
    const char *zipfile = lc_prov_str(code, "ZipFile");
    const char *key = lc_prov_str(code, "S3Key");
    if (zipfile) {
        const char *file = runtime && lc_str_starts_with(runtime, "python") ? "index.py" : "index.js";
        rc = s_mkdirs(staging, err);
        char *p = lc_asprintf("%s/%s", staging, file);
        if (!rc)
            rc = lc_file_write(p, zipfile, strlen(zipfile), 0644, err);
        char hex[65];
        lc_sha256_hex(zipfile, strlen(zipfile), hex);
        lc_buf_appendf(&hash, "%s\t%s\n", file, hex);
        *size = (int64_t)strlen(zipfile);
        lc_free(p);
    } else if (key) {
        char *src = s_asset_source(c->assets_dir, key);
        if (!src && c->template_dir)
            src = s_asset_source(c->template_dir, key);
        struct stat st;
        if (!src || stat(src, &st) != 0) {
            rc = lc_error_set(err, LC_ENOTFOUND, 400, "InvalidParameterValueException",
                              "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The "
                              "specified key does not exist. (leastcloud found no asset for s3://%s/%s: deploy the "
                              "cloud assembly that holds it)",
                              lc_prov_str(code, "S3Bucket") ? lc_prov_str(code, "S3Bucket") : "?", key);
        } else if (S_ISDIR(st.st_mode)) {
            rc = s_copy_tree(src, staging, "", &hash, size, err);
        } else {
            rc = s_unzip(src, staging, &hash, size, err);
        }
        lc_free(src);
    } else if (lc_prov_str(code, "ImageUri")) {
        rc = s_mkdirs(staging, err);
        lc_buf_append_str(&hash, lc_prov_str(code, "ImageUri"));
    } else {
        rc = lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValueException",
                          "Please provide a source for function code (ZipFile, S3Bucket/S3Key or ImageUri).");
    }
    if (rc) {
        s_remove_tree(staging);
        lc_free(staging);
        lc_buf_free(&hash);
        return rc;
    }
    uint8_t digest[LC_SHA256_LEN];
    lc_sha256(hash.data ? hash.data : "", hash.len, digest);
    lc_buf_free(&hash);
    *sha = lc_base64_encode(digest, sizeof digest);
    char hex[65];
    lc_hex_encode(digest, 8, hex);
    *dir = lc_asprintf("%s/lambda/%s/%s", lc_store_dir(c->store), fn_name, hex);
    struct stat st;
    if (stat(*dir, &st) == 0) {
        s_remove_tree(staging); /* the same code is already there */
    } else if (rename(staging, *dir) != 0) {
        rc = lc_error_set(err, LC_EIO, 500, "InternalFailure", "cannot install code in %s: %s", *dir, strerror(errno));
        s_remove_tree(staging);
    }
    lc_free(staging);
    return rc;
}

/* ---- the function ---- */

static char *s_today(void)
{
    char iso[21];
    lc_time_format_iso(lc_clock_now_ms(), iso);
    return lc_strndup(iso, 10);
}

static int s_check_runtime(const struct lc_provider_call *c, const char *runtime, bool creating, struct lc_error *err)
{
    const struct lc_lambda_runtime_life *life = lc_lambda_runtime_life(runtime);
    if (!life)
        return 0;
    char *today = s_today();
    bool blocked = *life->create_block && strcmp(today, creating ? life->create_block : life->update_block) >= 0;
    bool deprecated = *life->deprecated && strcmp(today, life->deprecated) >= 0;
    lc_free(today);
    if (blocked && c->strict)
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValueException",
                            "The runtime parameter of %s is no longer supported for creating or updating AWS "
                            "Lambda functions. We recommend you use a supported runtime while creating or "
                            "updating functions.", runtime);
    if ((blocked || deprecated) && c->warn) {
        char *msg = lc_asprintf("runtime %s was deprecated on %s; AWS stopped accepting new functions on it on %s "
                                "and stops accepting updates on %s. leastcloud deploys it anyway (--strict "
                                "refuses it, as AWS does)", runtime, life->deprecated, life->create_block,
                                life->update_block);
        c->warn(c->warn_ud, c->logical_id, msg);
        lc_free(msg);
    }
    return 0;
}

static int s_put_function(const struct lc_provider_call *c, const char *name, const json_t *props, bool creating,
                          json_t **attrs, struct lc_error *err)
{
    const char *runtime = lc_prov_str(props, "Runtime");
    const char *role = lc_prov_str(props, "Role");
    const char *package = lc_prov_str(props, "PackageType");
    if ((!package || !strcmp(package, "Zip")) && (!runtime || !lc_prov_str(props, "Handler")))
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValueException",
                            "Runtime and Handler are mandatory parameters for functions created with deployment "
                            "packages.");
    int rc = s_check_runtime(c, runtime, creating, err);
    if (rc)
        return rc;
    struct lc_store_principal rp;
    if (!role || lc_store_principal_get(c->store, role, &rp, NULL) != 0 || rp.type != LC_PRINCIPAL_ROLE)
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValueException",
                            "The role defined for the function cannot be assumed by Lambda.");
    struct lc_lambda_function f = {0};
    rc = s_install_code(c, name, props, &f.code_dir, &f.code_sha256, &f.code_size, err);
    if (rc)
        return rc;
    f.name = lc_strdup(name);
    f.arn = lc_asprintf("arn:%s:lambda:%s:%s:function:%s", c->partition, c->region, c->account, name);
    f.runtime = lc_strdup(runtime);
    f.handler = lc_strdup(lc_prov_str(props, "Handler"));
    f.role = lc_strdup(role);
    f.description = lc_strdup(lc_prov_str(props, "Description"));
    const json_t *vars = json_object_get(json_object_get(props, "Environment"), "Variables");
    f.environment = vars ? lc_json_stringify(vars, 0) : lc_strdup("{}");
    const json_t *arch = json_array_get(json_object_get(props, "Architectures"), 0);
    f.architecture = lc_strdup(json_is_string(arch) ? json_string_value(arch) : "x86_64");
    f.config = lc_json_stringify(props, 0);
    char *t = lc_cfn_scalar_string(json_object_get(props, "Timeout") ? json_object_get(props, "Timeout") : json_null());
    char *m = lc_cfn_scalar_string(json_object_get(props, "MemorySize") ? json_object_get(props, "MemorySize")
                                                                          : json_null());
    int64_t v;
    f.timeout_s = t && !lc_parse_i64(t, &v) ? (int)v : 3;
    f.memory_mb = m && !lc_parse_i64(m, &v) ? (int)v : 128;
    lc_free(t);
    lc_free(m);
    f.last_modified_ms = lc_clock_now_ms();
    rc = lc_store_lambda_put(c->store, &f, err);
    if (!rc)
        *attrs = json_pack("{ss}", "Arn", f.arn);
    lc_lambda_function_clear(&f);
    return rc;
}

static int s_fn_create(const struct lc_provider_call *c, const json_t *props, char **id, json_t **attrs,
                       struct lc_error *err)
{
    char *name = lc_prov_name(c, props, "FunctionName", 64);
    struct lc_lambda_function existing;
    if (lc_store_lambda_get(c->store, name, &existing, NULL) == 0) {
        lc_lambda_function_clear(&existing);
        int rc = lc_error_set(err, LC_EEXISTS, 409, "ResourceConflictException", "Function already exist: %s", name);
        lc_free(name);
        return rc;
    }
    int rc = s_put_function(c, name, props, true, attrs, err);
    if (rc) {
        lc_free(name);
        return rc;
    }
    *id = name;
    return 0;
}

static int s_fn_update(const struct lc_provider_call *c, const char *id, const json_t *o, const json_t *n,
                       json_t **attrs, struct lc_error *err)
{
    return s_put_function(c, id, n, false, attrs, err);
}

static int s_fn_remove(const struct lc_provider_call *c, const char *id, const json_t *props, const json_t *attrs,
                       struct lc_error *err)
{
    int rc = lc_store_lambda_delete(c->store, id, err);
    if (rc)
        return rc;
    char *dir = lc_asprintf("%s/lambda/%s", lc_store_dir(c->store), id);
    s_remove_tree(dir);
    lc_free(dir);
    return 0;
}

const struct lc_provider lc_provider_lambda_function = {"AWS::Lambda::Function", "FunctionName", 64, s_fn_create,
                                                        s_fn_update, s_fn_remove};

/* ---- AWS::Lambda::Permission ---- */

static int s_function_of(const struct lc_provider_call *c, const json_t *props, struct lc_lambda_function *f,
                         struct lc_error *err)
{
    const char *name = lc_prov_str(props, "FunctionName");
    return lc_store_lambda_get(c->store, name ? name : "", f, err);
}

static int s_perm_create(const struct lc_provider_call *c, const json_t *props, char **id, json_t **attrs,
                         struct lc_error *err)
{
    struct lc_lambda_function f;
    int rc = s_function_of(c, props, &f, err);
    if (rc)
        return rc;
    char *sid = lc_cfn_physical_name(c->stack_name, c->logical_id, 100);
    const char *principal = lc_prov_str(props, "Principal");
    json_t *st = json_pack("{s:s, s:s, s:{s:s?}, s:s?, s:s}", "Sid", sid, "Effect", "Allow", "Principal",
                           principal && strchr(principal, '.') && !lc_str_starts_with(principal, "arn:")
                               ? "Service" : "AWS", principal,
                           "Action", lc_prov_str(props, "Action"), "Resource", f.arn);
    json_t *cond = json_object();
    if (lc_prov_str(props, "SourceArn"))
        json_object_set_new(cond, "ArnLike", json_pack("{ss}", "AWS:SourceArn", lc_prov_str(props, "SourceArn")));
    if (lc_prov_str(props, "SourceAccount"))
        json_object_set_new(cond, "StringEquals",
                            json_pack("{ss}", "AWS:SourceAccount", lc_prov_str(props, "SourceAccount")));
    if (json_object_size(cond))
        json_object_set(st, "Condition", cond);
    json_decref(cond);
    char *text = lc_json_stringify(st, 0);
    json_decref(st);
    rc = lc_store_lambda_permission_add(c->store, f.name, sid, text, err);
    lc_free(text);
    lc_lambda_function_clear(&f);
    if (rc) {
        lc_free(sid);
        return rc;
    }
    *id = sid;
    *attrs = json_pack("{ss}", "Id", sid);
    return 0;
}

static int s_perm_remove(const struct lc_provider_call *c, const char *id, const json_t *props, const json_t *attrs,
                         struct lc_error *err)
{
    struct lc_lambda_function f;
    if (s_function_of(c, props, &f, NULL) != 0)
        return 0;
    int rc = lc_store_lambda_permission_remove(c->store, f.name, id, err);
    lc_lambda_function_clear(&f);
    return rc;
}

/* Every property of a permission is create-only: a change replaces it. */
const struct lc_provider lc_provider_lambda_permission = {"AWS::Lambda::Permission", NULL, 0, s_perm_create, NULL,
                                                          s_perm_remove};
