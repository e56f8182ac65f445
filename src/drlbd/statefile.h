/*
 * The connection table across a restart: written to a state file when
 * drlbd stops, read back when it starts (--state-file), so that clients in
 * the middle of a transfer keep their real servers and notice nothing but
 * the frames lost while no director ran.
 */
#ifndef DRLBD_STATEFILE_H
#define DRLBD_STATEFILE_H

#include <stdint.h>

#include "conn.h"
#include "svc.h"

/* Write every connection and template to fd (truncated first).
 * Returns how many were written, -1 with errno on failure. */
long statefile_save(int fd, struct conn_set *cs, uint32_t now);

/*
 * Read a state file back into cs (each entry into its worker's table): each entry whose service and real server
 * still exist (after --config) is inserted with its state, remaining time
 * and persistence link.  Returns how many were restored (skipped ones are
 * counted in *skipped), -1 with errno (EPROTO: not a state file of ours).
 */
long statefile_restore(int fd, struct conn_set *cs, struct svc_table *st,
    uint32_t now, long *skipped);

#endif
