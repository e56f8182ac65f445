/*
 * Prometheus metrics (text exposition format 0.0.4): what ipvsadm's
 * --stats/--rate listings and drlbadm --counters show, as metric families
 * with # HELP and # TYPE lines.  Served three ways: DRLB_CTL_GET_METRICS on
 * the control socket, a file rewritten atomically for node_exporter's
 * textfile collector (--metrics-file), and a minimal HTTP/1.0 responder for
 * a Prometheus scrape (--metrics-listen, metrics_http.h), all from the
 * daemon's one loop.
 *
 * Library-like: nothing here logs; errors come back as NULL or -1 with
 * errno.
 */
#ifndef DRLBD_METRICS_H
#define DRLBD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "arp.h"
#include "datapath.h"
#include "io.h"
#include "ndp.h"
#include "neigh.h"
#include "svc.h"

/* What is rendered; io, arp and ndp may be NULL (their families are left
 * out). */
struct metrics_input {
	struct svc_table *svcs;
	const struct dp_counters *dp;
	const struct io_stats *io;
	const struct arp_counters *arp;
	const struct ndp_counters *ndp;
	uint32_t conns;			/* connection table: entries now */
	uint32_t conns_max;		/* its bound (--max-conns) */
	uint64_t conns_reclaimed;	/* half-open entries given to new flows */
	/* the MACs that claimed a VIP (neigh.h), each with its family */
	const struct neigh_claimer *claimers;
	const uint16_t *claimer_af;
	size_t nclaimers;
};

/* The exposition text, malloc'ed (NUL-terminated; *len without the NUL). */
char *metrics_render(const struct metrics_input *in, uint32_t *len);

/* A label value escaped as the format wants (\\, \", \n) into out;
 * returns out, truncated to outlen - 1 at worst. */
char *metrics_escape_label(const char *v, char *out, size_t outlen);

/* Write text to path atomically: path.tmp, then rename().  -1 with errno. */
int metrics_write_file(const char *path, const char *text, size_t len);

#endif
