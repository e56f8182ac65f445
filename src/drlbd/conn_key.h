/*
 * A flow's key: what a connection is looked up by, and all a scheduler
 * sees of a new flow (sched.h).  Apart from conn.h so that the schedulers
 * need not know the connection table.
 */
#ifndef DRLBD_CONN_KEY_H
#define DRLBD_CONN_KEY_H

#include <stdint.h>
#include "drlb/svc-t.h"

struct conn_key {
	union drlb_inaddr caddr;	/* client, network order */
	union drlb_inaddr vaddr;	/* VIP */
	uint16_t cport;			/* network order */
	uint16_t vport;			/* network order */
	uint8_t  protocol;
	uint8_t  af;			/* AF_INET / AF_INET6 */
};

#endif
