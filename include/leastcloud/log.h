/*
 * log.h: leveled logging to stderr. The level comes from $LEASTCLOUD_LOG (error, warn, info, debug;
 * default warn) or lc_log_set_level. Thread-safe: each line is written with one call.
 */
#ifndef LEASTCLOUD_LOG_H
#define LEASTCLOUD_LOG_H

enum lc_log_level { LC_LOG_ERROR, LC_LOG_WARN, LC_LOG_INFO, LC_LOG_DEBUG };

void lc_log_set_level(enum lc_log_level level);
int lc_log_enabled(enum lc_log_level level);
void lc_log(enum lc_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define LC_LOGE(mod, ...) lc_log(LC_LOG_ERROR, mod, __VA_ARGS__)
#define LC_LOGW(mod, ...) lc_log(LC_LOG_WARN, mod, __VA_ARGS__)
#define LC_LOGI(mod, ...) lc_log(LC_LOG_INFO, mod, __VA_ARGS__)
#define LC_LOGD(mod, ...) do { if (lc_log_enabled(LC_LOG_DEBUG)) lc_log(LC_LOG_DEBUG, mod, __VA_ARGS__); } while (0)

#endif
