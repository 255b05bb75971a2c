/*
 * supervisor.c: starts, reuses, times out and stops Lambda runtime processes (lambda.h).
 *
 * One mutex guards the list of instances and every invocation's state; the thread of an instance
 * (instance.c) and the invoking thread meet on one condition variable. Only the thread that holds
 * an instance busy reaps its process (waitpid), so a process is never reaped twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lambda/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/hash.h"
#include "leastcloud/json.h"
#include "leastcloud/log.h"
#include "leastcloud/store.h"
#include "leastcloud/store_iam.h"
#include "leastcloud/str.h"

#ifndef LC_LAMBDA_DEFAULT_RUNTIME_DIR
#define LC_LAMBDA_DEFAULT_RUNTIME_DIR "/usr/local/share/leastcloud/lambda-runtime"
#endif
#ifndef LC_LAMBDA_DEFAULT_NODE_PATH
#define LC_LAMBDA_DEFAULT_NODE_PATH "/usr/local/lib/node_modules"
#endif

#define SESSION_DURATION_S 43200   /* Lambda refreshes its credentials; a 12-hour session outlives a warm process */
#define WAIT_SLICE_MS 20
#define DEFAULT_IDLE_MS (15 * 60 * 1000)  /* Lambda keeps an idle environment for minutes, not hours */
#define INIT_LIMIT_MS 10000          /* AWS: lambda-init-limit, the Init phase may take 10 seconds */
#define MAX_RESPONSE 6291556         /* AWS: lambda-response-limit, bytes of a synchronous response */

struct lc_lambda_supervisor {
    struct lc_store *store;
    char *runtime_dir;
    char *node_path;
    char *log_dir;
    int64_t idle_ms;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct lc__instance *instances;
    size_t n_busy;
    size_t n_async;
    bool stopping;
};

static char *s_option(const char *given, const char *env, const char *fallback)
{
    if (given)
        return lc_strdup(given);
    const char *v = getenv(env);
    return lc_strdup(v && *v ? v : fallback);
}

char *lc_lambda_log_path(const char *state_dir, const char *function)
{
    return lc_asprintf("%s/logs/lambda/%s.log", state_dir, function);
}

int lc_lambda_supervisor_new(struct lc_store *store, const struct lc_lambda_options *opts,
                             struct lc_lambda_supervisor **out, struct lc_error *err)
{
    struct lc_lambda_options none = {0};
    if (!opts)
        opts = &none;
    struct lc_lambda_supervisor *s = lc_calloc(1, sizeof *s);
    s->store = store;
    s->runtime_dir = s_option(opts->runtime_dir, "LEASTCLOUD_LAMBDA_RUNTIME_DIR", LC_LAMBDA_DEFAULT_RUNTIME_DIR);
    s->node_path = s_option(opts->node_path, "LEASTCLOUD_NODE_PATH", LC_LAMBDA_DEFAULT_NODE_PATH);
    s->log_dir = opts->log_dir ? lc_strdup(opts->log_dir) : lc_asprintf("%s/logs/lambda", lc_store_dir(store));
    s->idle_ms = opts->idle_ms;
    int64_t env_idle;
    const char *idle = getenv("LEASTCLOUD_LAMBDA_IDLE_MS");
    if (!s->idle_ms && idle && lc_parse_i64(idle, &env_idle) == 0 && env_idle > 0)
        s->idle_ms = env_idle;
    if (!s->idle_ms)
        s->idle_ms = DEFAULT_IDLE_MS;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cond, NULL);
    (void)err;
    *out = s;
    return 0;
}

static void s_instance_free(struct lc__instance *in)
{
    lc__instance_close(in);
    lc_free(in->function);
    lc_free(in->code_sha);
    lc_free(in->role);
    lc_buf_free(&in->output);
    lc_buf_free(&in->init_error);
    lc_free(in);
}

/* Kills the process group and reaps the process. */
static int s_kill(struct lc__instance *in)
{
    int status = 0;
    if (in->pid > 0) {
        kill(-in->pid, SIGKILL);
        kill(in->pid, SIGKILL);
        while (waitpid(in->pid, &status, 0) < 0 && errno == EINTR) {
        }
        in->pid = 0;
    }
    in->dead = true;
    return status;
}

/* Caller holds the mutex. */
static void s_interrupt(struct lc_lambda_supervisor *s)
{
    s->stopping = true;
    /* Busy invocations see their process die and end; then nothing holds an instance. */
    for (struct lc__instance *in = s->instances; in; in = in->next)
        if (in->pid > 0) {
            kill(-in->pid, SIGKILL);
            kill(in->pid, SIGKILL);
        }
    pthread_cond_broadcast(&s->cond);
}

void lc_lambda_supervisor_interrupt(struct lc_lambda_supervisor *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s_interrupt(s);
    pthread_mutex_unlock(&s->mu);
}

void lc_lambda_supervisor_destroy(struct lc_lambda_supervisor *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s_interrupt(s);
    while (s->n_busy || s->n_async)
        pthread_cond_wait(&s->cond, &s->mu);
    struct lc__instance *list = s->instances;
    s->instances = NULL;
    pthread_mutex_unlock(&s->mu);
    while (list) {
        struct lc__instance *next = list->next;
        s_kill(list);
        s_instance_free(list);
        list = next;
    }
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->mu);
    lc_free(s->runtime_dir);
    lc_free(s->node_path);
    lc_free(s->log_dir);
    lc_free(s);
}

size_t lc_lambda_supervisor_processes(struct lc_lambda_supervisor *s)
{
    size_t n = 0;
    pthread_mutex_lock(&s->mu);
    for (struct lc__instance *in = s->instances; in; in = in->next)
        n += !in->dead;
    pthread_mutex_unlock(&s->mu);
    return n;
}

void lc_lambda_result_clean_up(struct lc_lambda_result *r)
{
    lc_free(r->payload);
    lc_free(r->log);
    memset(r, 0, sizeof *r);
}

static bool s_same_code(const struct lc__instance *in, const struct lc_lambda_function *fn)
{
    return !strcmp(in->function, fn->name) && !strcmp(in->code_sha, fn->code_sha256 ? fn->code_sha256 : "") &&
           !strcmp(in->role, fn->role ? fn->role : "") && in->last_modified_ms == fn->last_modified_ms;
}

/* Unlinks `in` from the list. Caller holds the mutex. */
static void s_unlink(struct lc_lambda_supervisor *s, struct lc__instance *in)
{
    for (struct lc__instance **pp = &s->instances; *pp; pp = &(*pp)->next)
        if (*pp == in) {
            *pp = in->next;
            return;
        }
}

/* An idle warm process of this function's current code, marked busy; NULL if none. Processes
 * that died while idle, or run outdated code, are collected on the way. Caller holds the mutex. */
static struct lc__instance *s_take_warm(struct lc_lambda_supervisor *s, const struct lc_lambda_function *fn,
                                        struct lc__instance **garbage)
{
    int64_t now = lc_clock_now_ms();
    for (struct lc__instance *in = s->instances, *next; in; in = next) {
        next = in->next;
        if (in->busy)
            continue;
        if (strcmp(in->function, fn->name)) {
            if (in->idle_since_ms && now - in->idle_since_ms >= s->idle_ms) {
                s_unlink(s, in);
                in->next = *garbage;
                *garbage = in;
            }
            continue;
        }
        int status;
        bool gone = in->dead || in->init_error.len || (in->pid > 0 && waitpid(in->pid, &status, WNOHANG) == in->pid);
        if (gone && in->pid > 0 && !in->dead)
            in->pid = 0;
        if (gone || !s_same_code(in, fn) || (in->idle_since_ms && now - in->idle_since_ms >= s->idle_ms)) {
            s_unlink(s, in);
            in->next = *garbage;
            *garbage = in;
            continue;
        }
        in->busy = true;
        return in;
    }
    return NULL;
}

static void s_child(char **argv, char **envp, const char *cwd, int out_fd, int null_fd)
{
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    dup2(null_fd, 0);
    dup2(out_fd, 1);
    dup2(out_fd, 2);
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
    if (chdir(cwd) != 0) {
        static const char msg[] = "lambda: cannot enter the code directory\n";
        ssize_t w = write(2, msg, sizeof msg - 1);
        (void)w;
        _exit(126);
    }
    execve(argv[0], argv, envp);
    static const char msg[] = "lambda: cannot execute the runtime\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    _exit(127);
}

static const char *s_kind_dir(enum lc__lambda_kind k)
{
    return k == LC__LAMBDA_NODE ? "node" : k == LC__LAMBDA_PYTHON ? "python" : "provided";
}

/* Starts a new runtime process for fn, busy. */
static int s_spawn(struct lc_lambda_supervisor *s, const struct lc_lambda_function *fn, const char *endpoint,
                   struct lc__instance **out, struct lc_error *err)
{
    enum lc__lambda_kind kind = lc__lambda_kind(fn->runtime);
    if (kind == LC__LAMBDA_UNKNOWN)
        return lc_error_set(err, LC_EUNSUPPORTED, 502, "InvalidRuntimeException",
                            "The runtime parameter of %s is not supported by leastcloud (nodejs*, python3*, "
                            "provided.* are)", fn->runtime ? fn->runtime : "(none)");
    struct stat st;
    if (!fn->code_dir || stat(fn->code_dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return lc_error_set(err, LC_ENOTFOUND, 502, "ServiceException",
                            "The code of function %s is not on disk (%s); deploy it again", fn->name,
                            fn->code_dir ? fn->code_dir : "no code directory");
    char *runtime_dir = lc_asprintf("%s/%s", s->runtime_dir, s_kind_dir(kind));
    char **argv = NULL;
    int rc = lc__lambda_argv(kind, runtime_dir, fn->code_dir, &argv, err);
    if (rc) {
        lc_free(runtime_dir);
        return rc;
    }
    struct lc_store_key creds;
    rc = lc_store_session_create(s->store, fn->role ? fn->role : "", fn->name, SESSION_DURATION_S, NULL, &creds, err);
    if (rc) {
        lc__lambda_argv_free(argv);
        lc_free(runtime_dir);
        return lc_error_set(err, rc, 400, "InvalidParameterValueException",
                            "The role defined for the function cannot be assumed by Lambda.");
    }
    struct lc__instance *in = lc_calloc(1, sizeof *in);
    in->mu = &s->mu;
    in->cond = &s->cond;
    in->function = lc_strdup(fn->name);
    in->code_sha = lc_strdup(fn->code_sha256 ? fn->code_sha256 : "");
    in->role = lc_strdup(fn->role ? fn->role : "");
    in->last_modified_ms = fn->last_modified_ms;
    in->listen_fd = in->out_fd = in->wake[0] = in->wake[1] = -1;
    lc_buf_init(&in->output, LC_BUF_UNLIMITED);
    lc_buf_init(&in->init_error, LC_BUF_UNLIMITED);
    in->busy = true;
    struct lc__lambda_env env = {0};
    int pipefd[2] = {-1, -1};
    int null_fd = -1;
    rc = lc__instance_listen(in, err);
    if (!rc) {
        char api[32];
        snprintf(api, sizeof api, "127.0.0.1:%u", (unsigned)in->port);
        struct lc__lambda_env_inputs ei = {
            .fn = fn, .creds = &creds, .region = lc_store_region(s->store), .runtime_api = api,
            .endpoint_url = endpoint, .runtime_dir = runtime_dir, .node_path = s->node_path,
        };
        rc = lc__lambda_env_build(&ei, &env, err);
    }
    if (!rc && pipe(pipefd) != 0)
        rc = lc_error_set(err, LC_EIO, 500, "ServiceException", "pipe: %s", strerror(errno));
    if (!rc && (null_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
        rc = lc_error_set(err, LC_EIO, 500, "ServiceException", "/dev/null: %s", strerror(errno));
    if (!rc) {
        fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);
        fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
        fcntl(pipefd[1], F_SETFD, FD_CLOEXEC);
        pid_t pid = fork();
        if (pid == 0)
            s_child(argv, env.vars, fn->code_dir, pipefd[1], null_fd);
        if (pid < 0) {
            rc = lc_error_set(err, LC_EIO, 500, "ServiceException", "fork: %s", strerror(errno));
        } else {
            setpgid(pid, pid); /* also done by the child: whichever runs first wins the race */
            in->pid = pid;
            in->out_fd = pipefd[0];
            pipefd[0] = -1;
        }
    }
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    if (null_fd >= 0)
        close(null_fd);
    lc__lambda_env_free(&env);
    lc__lambda_argv_free(argv);
    lc_free(runtime_dir);
    if (!rc)
        rc = lc__instance_start(in, err);
    if (rc) {
        s_kill(in);
        s_instance_free(in);
        return rc;
    }
    LC_LOGI("lambda", "started %s (%s) as pid %d, runtime API 127.0.0.1:%u", fn->name, fn->runtime, (int)in->pid,
            (unsigned)in->port);
    *out = in;
    return 0;
}

/* Peak resident memory of the process in MB (VmHWM), 0 when unknown. */
static int s_max_memory_mb(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    char *text = lc_file_read(path, 1 << 16, NULL, NULL);
    if (!text)
        return 0;
    int mb = 0;
    const char *p = strstr(text, "VmHWM:");
    if (p) {
        long kb = 0;
        for (p += 6; *p == ' ' || *p == '\t'; p++) {
        }
        while (*p >= '0' && *p <= '9')
            kb = kb * 10 + (*p++ - '0');
        mb = (int)((kb + 1023) / 1024);
    }
    lc_free(text);
    return mb;
}

static void s_append_log(struct lc_lambda_supervisor *s, const char *function, const char *text)
{
    char *dir = lc_strdup(s->log_dir);
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0700);
            *p = '/';
        }
    mkdir(dir, 0700);
    lc_free(dir);
    char *path = lc_asprintf("%s/%s.log", s->log_dir, function);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
        /* One write per invocation, so concurrent invocations never interleave their lines. */
        ssize_t w = write(fd, text, strlen(text));
        (void)w;
        close(fd);
    } else {
        LC_LOGW("lambda", "cannot write %s: %s", path, strerror(errno));
    }
    lc_free(path);
}

/* Waits for the invocation to finish, the process to die, or the deadline. Caller holds the mutex. */
static void s_wait(struct lc_lambda_supervisor *s, struct lc__instance *in, struct lc__invocation *inv,
                   const struct lc_lambda_function *fn)
{
    while (inv->state != LC__INV_DONE) {
        int64_t now = lc_clock_now_ms();
        if (now >= inv->deadline_ms) {
            if (inv->state == LC__INV_PENDING)
                LC_LOGW("lambda", "%s: the runtime did not ask for the event within %d ms of starting", fn->name,
                        INIT_LIMIT_MS);
            s_kill(in);
            char *doc = lc__lambda_timeout_error(inv->id, (double)(fn->timeout_s > 0 ? fn->timeout_s : 3));
            lc_buf_reset(&inv->result);
            lc_buf_append_str(&inv->result, doc);
            lc_free(doc);
            char iso[25];
            lc_time_format_iso_ms(now, iso);
            lc_buf_appendf(&in->output, "%s %s Task timed out after %.2f seconds\n", iso, inv->id,
                           (double)(fn->timeout_s > 0 ? fn->timeout_s : 3));
            inv->error = true;
            inv->state = LC__INV_DONE;
            break;
        }
        int status;
        if (in->pid > 0 && waitpid(in->pid, &status, WNOHANG) == in->pid) {
            in->pid = 0;
            in->dead = true;
            if (inv->state != LC__INV_DONE) {
                char *doc = in->init_error.len ? NULL : lc__lambda_exit_error(inv->id, status);
                lc_buf_reset(&inv->result);
                if (doc)
                    lc_buf_append_str(&inv->result, doc);
                else
                    lc_buf_append(&inv->result, in->init_error.data, in->init_error.len);
                lc_free(doc);
                inv->error = true;
                inv->state = LC__INV_DONE;
            }
            break;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += WAIT_SLICE_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->cond, &s->mu, &ts);
    }
}

static void s_trace_id(char out[96])
{
    uint8_t r[12];
    char hex[25];
    lc_random_bytes(r, sizeof r);
    lc_hex_encode(r, sizeof r, hex);
    snprintf(out, 96, "Root=1-%08llx-%s;Sampled=0", (unsigned long long)(lc_clock_now_ms() / 1000), hex);
}

int lc_lambda_invoke(struct lc_lambda_supervisor *s, const struct lc_lambda_function *fn,
                     const struct lc_lambda_invocation *inv_in, struct lc_lambda_result *out, struct lc_error *err)
{
    memset(out, 0, sizeof *out);
    struct lc__invocation inv = {0};
    lc__lambda_uuid(inv.id);
    lc_strlcpy(out->request_id, inv.id, sizeof out->request_id);
    lc_buf_init(&inv.result, (size_t)6 << 20 << 1);
    inv.payload = inv_in->payload;
    inv.payload_len = inv_in->payload_len;
    inv.function_arn = fn->arn ? fn->arn : "";
    inv.client_context = inv_in->client_context;
    s_trace_id(inv.trace_id);

    struct lc__instance *garbage = NULL;
    pthread_mutex_lock(&s->mu);
    if (s->stopping) {
        pthread_mutex_unlock(&s->mu);
        return lc_error_set(err, LC_ECONFLICT, 503, "ServiceException", "The local cloud is shutting down");
    }
    s->n_busy++;
    struct lc__instance *in = s_take_warm(s, fn, &garbage);
    pthread_mutex_unlock(&s->mu);
    while (garbage) {
        struct lc__instance *next = garbage->next;
        s_kill(garbage);
        s_instance_free(garbage);
        garbage = next;
    }
    int64_t t0 = lc_clock_now_ms();
    int rc = 0;
    if (!in) {
        out->cold_start = true;
        rc = s_spawn(s, fn, inv_in->endpoint_url, &in, err);
        if (rc == LC_ENOTFOUND && !strcmp(err->aws_code, "Runtime.InvalidEntrypoint")) {
            /* AWS reports a missing bootstrap as the invocation's function error. */
            json_t *doc = json_pack("{s:s, s:s}", "errorType", err->aws_code, "errorMessage", err->message);
            out->payload = lc_json_stringify(doc, 0);
            json_decref(doc);
            out->payload_len = strlen(out->payload);
            out->function_error = true;
            out->log = lc__lambda_log_frame(inv.id, err->message, strlen(err->message), 0, fn->memory_mb, 0, 0);
            s_append_log(s, fn->name, out->log);
            lc_error_clear(err);
            rc = 0;
            in = NULL;
            goto done;
        }
        if (rc)
            goto done;
        pthread_mutex_lock(&s->mu);
        in->next = s->instances;
        s->instances = in;
        pthread_mutex_unlock(&s->mu);
    }
    int64_t t_start = lc_clock_now_ms();
    pthread_mutex_lock(&s->mu);
    inv.timeout_ms = (int64_t)(fn->timeout_s > 0 ? fn->timeout_s : 3) * 1000;
    /* Until the runtime takes the event, only the init limit applies (and a warm runtime takes it at once). */
    inv.deadline_ms = t_start + INIT_LIMIT_MS + inv.timeout_ms;
    inv.state = LC__INV_PENDING;
    in->inv = &inv;
    pthread_mutex_unlock(&s->mu);
    lc__instance_wake(in);

    pthread_mutex_lock(&s->mu);
    s_wait(s, in, &inv, fn);
    in->inv = NULL;
    bool dead = in->dead;
    if (dead)
        s_unlink(s, in);
    pthread_mutex_unlock(&s->mu);
    int64_t t_end = lc_clock_now_ms();
    int max_mb = in->pid > 0 ? s_max_memory_mb(in->pid) : 0;
    if (dead)
        lc__instance_close(in); /* joins the thread, which drains what the process printed last */

    pthread_mutex_lock(&s->mu);
    int64_t began = inv.delivered_ms ? inv.delivered_ms : t_start;
    out->duration_ms = (double)(t_end - began);
    out->log = lc__lambda_log_frame(inv.id, in->output.data ? in->output.data : "", in->output.len, out->duration_ms,
                                    fn->memory_mb > 0 ? fn->memory_mb : 128, max_mb,
                                    out->cold_start ? (double)(began - t0) : 0);
    lc_buf_reset(&in->output);
    in->used = true;
    in->busy = false;
    in->idle_since_ms = lc_clock_now_ms();
    pthread_mutex_unlock(&s->mu);
    s_append_log(s, fn->name, out->log);
    out->function_error = inv.error;
    if (inv.result.len > MAX_RESPONSE) {
        char msg[128];
        snprintf(msg, sizeof msg, "Response payload size exceeded maximum allowed payload size (%d bytes).",
                 MAX_RESPONSE);
        json_t *doc = json_pack("{s:s, s:s}", "errorType", "Function.ResponseSizeTooLarge", "errorMessage", msg);
        char *text = lc_json_stringify(doc, 0);
        json_decref(doc);
        lc_buf_reset(&inv.result);
        lc_buf_append_str(&inv.result, text);
        lc_free(text);
        out->function_error = true;
    }
    lc_buf_append_byte(&inv.result, '\0');
    out->payload_len = inv.result.len - 1;
    out->payload = lc_buf_detach(&inv.result, NULL);
    if (dead) {
        s_kill(in);
        s_instance_free(in);
    }
done:
    lc_buf_free(&inv.result);
    pthread_mutex_lock(&s->mu);
    s->n_busy--;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* ------------------------------------------------------------------ Event invocations */

struct s_async {
    struct lc_lambda_supervisor *sup;
    struct lc_lambda_function fn;
    char *payload;
    size_t payload_len;
    char *endpoint;
};

static char *s_dup(const char *p)
{
    return p ? lc_strdup(p) : NULL;
}

static void *s_async_thread(void *arg)
{
    struct s_async *a = arg;
    struct lc_lambda_invocation inv = {.payload = a->payload, .payload_len = a->payload_len, .endpoint_url = a->endpoint};
    struct lc_lambda_result r;
    struct lc_error err;
    if (lc_lambda_invoke(a->sup, &a->fn, &inv, &r, &err) != 0)
        LC_LOGW("lambda", "event invocation of %s failed: %s", a->fn.name, err.message);
    else
        lc_lambda_result_clean_up(&r);
    struct lc_lambda_supervisor *s = a->sup;
    lc_lambda_function_clear(&a->fn);
    lc_free(a->payload);
    lc_free(a->endpoint);
    lc_free(a);
    pthread_mutex_lock(&s->mu);
    s->n_async--;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

int lc_lambda_invoke_async(struct lc_lambda_supervisor *s, const struct lc_lambda_function *fn,
                           const struct lc_lambda_invocation *inv, struct lc_error *err)
{
    struct s_async *a = lc_calloc(1, sizeof *a);
    a->sup = s;
    a->fn = *fn;
    a->fn.name = s_dup(fn->name);
    a->fn.arn = s_dup(fn->arn);
    a->fn.runtime = s_dup(fn->runtime);
    a->fn.handler = s_dup(fn->handler);
    a->fn.role = s_dup(fn->role);
    a->fn.description = s_dup(fn->description);
    a->fn.environment = s_dup(fn->environment);
    a->fn.code_dir = s_dup(fn->code_dir);
    a->fn.code_sha256 = s_dup(fn->code_sha256);
    a->fn.architecture = s_dup(fn->architecture);
    a->fn.config = s_dup(fn->config);
    a->payload = lc_malloc(inv->payload_len + 1);
    if (inv->payload_len)
        memcpy(a->payload, inv->payload, inv->payload_len);
    a->payload[inv->payload_len] = '\0';
    a->payload_len = inv->payload_len;
    a->endpoint = s_dup(inv->endpoint_url);
    pthread_mutex_lock(&s->mu);
    if (s->stopping) {
        pthread_mutex_unlock(&s->mu);
        lc_lambda_function_clear(&a->fn);
        lc_free(a->payload);
        lc_free(a->endpoint);
        lc_free(a);
        return lc_error_set(err, LC_ECONFLICT, 503, "ServiceException", "The local cloud is shutting down");
    }
    s->n_async++;
    pthread_mutex_unlock(&s->mu);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int prc = pthread_create(&t, &attr, s_async_thread, a);
    pthread_attr_destroy(&attr);
    if (prc != 0) {
        pthread_mutex_lock(&s->mu);
        s->n_async--;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->mu);
        lc_lambda_function_clear(&a->fn);
        lc_free(a->payload);
        lc_free(a->endpoint);
        lc_free(a);
        return lc_error_set(err, LC_EINTERNAL, 500, "ServiceException", "cannot start an event invocation");
    }
    return 0;
}
