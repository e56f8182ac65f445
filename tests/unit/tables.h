/*
 * Helpers shared by the tests that fill connection tables by hand
 * (test_state, test_sync): a key from the recipe's client to its VIP, and
 * a real server of a service found by port and last address byte.
 */
#ifndef DRLB_TEST_TABLES_H
#define DRLB_TEST_TABLES_H

#include <arpa/inet.h>
#include <string.h>

#include "conn.h"
#include "svc.h"

/* TCP 198.18.0.100:cport -> 198.18.0.1:vport */
static struct conn_key
key(uint16_t vport, uint16_t cport)
{
	struct conn_key k;

	memset(&k, 0, sizeof(k));
	k.af = AF_INET;
	k.protocol = IPPROTO_TCP;
	inet_pton(AF_INET, "198.18.0.100", &k.caddr.in);
	inet_pton(AF_INET, "198.18.0.1", &k.vaddr.in);
	k.cport = htons(cport);
	k.vport = htons(vport);
	return k;
}

/* the real server 198.18.0.<last> of the service on port */
static struct dest *
dest(struct svc_table *st, uint16_t port, int last)
{
	for (struct svc *s = st->head; s; s = s->next)
		if (s->conf.port == port)
			for (uint32_t i = 0; i < s->ndests; i++)
				if (s->dests[i]->conf.addr.b[3] == last)
					return s->dests[i];
	return NULL;
}

#endif
