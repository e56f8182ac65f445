/*
 * --config loading and SIGHUP reload: bring the live rules to what the file
 * says, through svc_apply, so the connection table is never touched and
 * established connections go on.
 *
 * The whole file is validated first: every line parsed (ipvsadm's syntax,
 * as `ipvsadm -S -n` writes it) and applied in order to a scratch
 * svc_table, which catches semantic errors ("Service already exists", an
 * unknown scheduler, a VIP held by this host's kernel ...).  On any error
 * nothing changes and err says "file:line: reason".  Then the live table is
 * edited towards the scratch one: services and real servers not in the
 * file are deleted, new ones added, changed ones edited (scheduler, flags,
 * persistence, netmask; weight and thresholds), and the timeouts set.
 */
#ifndef DRLBD_RELOAD_H
#define DRLBD_RELOAD_H

#include <stddef.h>
#include <stdint.h>

struct drlbd;

struct reload_stats {
	uint32_t svc_added, svc_deleted, svc_edited;
	uint32_t dest_added, dest_deleted, dest_edited;
	uint32_t timeouts_set;
	uint32_t failed;		/* live edits that failed (out of memory) */
};

/* 0 when the live rules now match file; -1 with err filled when the file
 * was not valid (the live rules are then unchanged). */
int reload_config(struct drlbd *d, const char *file, struct reload_stats *st,
    char *err, size_t errlen);

#endif
