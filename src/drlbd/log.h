/*
 * Daemon logging (relayd's log.c shape): log_warn adds strerror(errno),
 * log_warnx does not, fatal/fatalx exit.  To stderr in the foreground,
 * syslog otherwise; a daemon's warnings and refusals go to stderr too until
 * it detaches (log_detached), so that whoever started it sees why it did
 * not start.  Library-like modules (conn, svc, sched) do not log.
 */
#ifndef DRLBD_LOG_H
#define DRLBD_LOG_H

#include <stdarg.h>

void log_init(int foreground, int verbose);
void log_detached(void);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
