/*
 * The daemon's counters by name: drlbadm --counters' text ("name value"
 * lines) and the same as one flat JSON object (docs/json.md), rendered
 * from values the caller gathered, and the tables of each counter group
 * that these and the metrics (metrics.c) are made from.
 *
 * The groups are the lists next to their structs (DP_COUNTERS in
 * datapath.h, IO_STATS in io.h, ARP_COUNTERS in arp.h, NDP_COUNTERS in
 * ndp.h): a counter added there has its field, its line, its JSON member
 * and its metric.
 *
 * Library-like: nothing here logs; errors come back as NULL with errno.
 */
#ifndef DRLBD_COUNTERS_H
#define DRLBD_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#include "arp.h"
#include "datapath.h"
#include "io.h"
#include "ndp.h"

/* One counter: what it is called and where its value is. */
struct counter_desc {
	const char *name;		/* in the counters text and JSON */
	const char *metric;		/* its metric family, or NULL ... */
	const char *reason;		/* ... a drlb_frames_dropped_total reason */
	const char *help;		/* the family's HELP (NULL for a reason) */
	size_t off;			/* of its uint64_t in the group's struct */
	int block;			/* dp: enum dp_text_block; else 0 */
};

struct counter_group {
	const struct counter_desc *c;
	size_t n;
};

extern const struct counter_group counters_dp;	/* struct dp_counters */
extern const struct counter_group counters_io;	/* struct io_stats */
extern const struct counter_group counters_arp;	/* struct arp_counters */
extern const struct counter_group counters_ndp;	/* struct ndp_counters */

/* c's value in base, a struct of c's group */
uint64_t counter_value(const struct counter_desc *c, const void *base);

/* Each worker's share: workerN_rx, workerN_forwarded, workerN_conns. */
struct counters_worker {
	uint64_t rx;
	uint64_t forwarded;
	uint32_t conns;			/* in its connection table now */
};

/* What drlbadm --counters shows, gathered by the caller. */
struct counters_input {
	struct dp_counters dp;		/* summed over every data path */
	struct io_stats io;		/* summed over every capture socket */
	struct arp_counters arp;
	struct ndp_counters ndp;	/* all 0 without neighbor discovery */
	uint32_t conns_now;		/* connection table entries */
	uint64_t conns_reclaimed;	/* half-open entries given to new flows */
	unsigned workers;		/* --workers */
	uint64_t worker_pauses;
	/* nworker entries; none when the main thread forwards alone */
	const struct counters_worker *worker;
	unsigned nworker;
	/* more "name value\n" lines appended as they are (the sync
	 * daemon's), or NULL */
	const char *extra;
};

/*
 * The counters text: "name value\n" lines, malloc'ed and NUL-terminated,
 * *len without the NUL.  NULL with errno (ENOMEM, EOVERFLOW).
 */
char *counters_text(const struct counters_input *in, uint32_t *len);

/*
 * The same counters, in the same order, as one JSON document:
 * {"schema": 1, "kind": "counters", "rx": 1000, ...}, laid out as
 * docs/json.md says.  NULL with errno; EINVAL: extra is not "name value"
 * lines.
 */
char *counters_json(const struct counters_input *in, uint32_t *len);

#endif
