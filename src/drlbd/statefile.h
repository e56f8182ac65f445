/*
 * The connection table across a restart: written to a state file when
 * drlbd stops, read back when it starts (--state-file), so that clients in
 * the middle of a transfer keep their real servers and notice nothing but
 * the frames lost while no director ran.
 */
#ifndef DRLBD_STATEFILE_H
#define DRLBD_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "svc.h"

/*
 * The file: a header, then `count` records of `rec_size` bytes, templates
 * first so that a connection can name the template that placed it.  Times
 * are "seconds left", so the file does not depend on the clock of the
 * process that wrote it.  Numbers are in host byte order, the key as
 * struct conn_key holds it (addresses and ports in network order).
 */
#define STATEFILE_MAGIC	0x4452424c53544131ull	/* "DRBLSTA1" */

struct statefile_hdr {
	uint64_t magic;
	uint32_t count;
	uint32_t rec_size;
	uint64_t saved_at;		/* wall clock, s: time passes while
					   stopped */
};

struct statefile_rec {
	struct conn_key key;		/* a template's with
					   CONN_KEY_TEMPLATE */
	union drlb_inaddr daddr;	/* the real server */
	uint16_t dport;
	uint16_t daf;
	uint8_t  state;
	uint8_t  template;		/* 1: a persistence template */
	uint16_t pad;
	uint32_t left;			/* seconds to its expiry */
	uint32_t self;			/* this record's number, from 1 */
	uint32_t control;		/* its template's number, 0: none */
	uint32_t timeout;		/* a template's persistence timeout */
};

/* Write every connection and template to fd (truncated first).
 * Returns how many were written, -1 with errno on failure. */
long statefile_save(int fd, struct conn_set *cs, uint32_t now);

/* Why a record was not restored. */
enum statefile_skip {
	STATEFILE_EXPIRED,		/* its time ran out while drlbd was
					   away */
	STATEFILE_GONE,			/* its service or real server is no
					   longer in the rules */
	STATEFILE_DUPLICATE,		/* an earlier record has its key */
	STATEFILE_FULL,			/* its table is at its bound */
	STATEFILE_MALFORMED,		/* a number, family, protocol, state,
					   flag or timeout save never writes */
	STATEFILE_BADLINK,		/* its template is a connection, or
					   one of another real server */
	STATEFILE_NSKIP
};

struct statefile_outcome {
	long restored;
	long skipped;			/* the sum of why[] */
	long why[STATEFILE_NSKIP];
	uint32_t count;			/* records the header announces */
	uint32_t whole;			/* of them, in the file whole */
	bool truncated;			/* the file ends before its count
					   (count 0: inside the header) */
	bool trailing;			/* bytes after the last record */
};

/*
 * Read a state file back into cs, each entry into the table of the worker
 * that will see its frames (templates into the shared one).  A record is
 * restored with its state, remaining time (less what passed since the
 * file was saved, by the wall clock `wall`, and never more than its
 * timeout allows now) and its template when its service and real server
 * still exist; any other is skipped and counted in out by reason.  A
 * truncated file gives the records it holds whole.  Returns how many were
 * restored (out->restored), -1 with errno when none could be read (EPROTO:
 * not a state file of ours).
 */
long statefile_restore(int fd, struct conn_set *cs, struct svc_table *st,
    uint32_t now, uint64_t wall, struct statefile_outcome *out);

/* "expired", "no longer in the rules", ... */
const char *statefile_skip_name(enum statefile_skip why);
/*
 * What was skipped and why, and whether the file was whole, for a log
 * line ("2 expired, 1 malformed, the file is truncated: 3 of 5 records",
 * "none"), in buf as snprintf would.  Returns snprintf's count.
 */
int statefile_outcome_text(const struct statefile_outcome *out, char *buf,
    size_t len);

#endif
