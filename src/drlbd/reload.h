/*
 * --config loading and SIGHUP reload: bring the live rules to what the file
 * says, through the one door for rule changes (rules.h), so the connection
 * table is never touched and established connections go on.
 *
 * The whole file is validated first: every line parsed (ipvsadm's syntax,
 * as `ipvsadm -S -n` writes it) and applied in order to a scratch
 * svc_table, which catches semantic errors ("Service already exists", an
 * unknown scheduler, a VIP held by this host's kernel ...).  On any error
 * nothing changes and err says "file:line: reason".  Then the live rules
 * converge to the scratch table: services and real servers not in the file
 * are deleted, new ones added, changed ones edited (scheduler, flags,
 * persistence, netmask; weight and thresholds), and the timeouts set.
 */
#ifndef DRLBD_RELOAD_H
#define DRLBD_RELOAD_H

#include <stddef.h>

struct drlbd;
struct rules_diff;

/* 0 when the live rules now match file; -1 with err filled when the file
 * was not valid (the live rules are then unchanged). */
int reload_config(struct drlbd *d, const char *file, struct rules_diff *diff,
    char *err, size_t errlen);
/* SIGHUP: re-read the file drlbd was started with (--config, or
 * --keepalived-config with its checks) and log what changed; a file with
 * an error changes nothing and the log names file:line. */
void reload_sighup(struct drlbd *d);

#endif
