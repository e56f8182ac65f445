/*
 * Destination Hashing (IPVS ip_vs_dh.c): a 256-bucket table maps a hash of
 * the packet's destination address (the VIP, key->vaddr) to a dest.
 *
 * The table is dealt out round-robin over the dest list (newest first),
 * one bucket per dest per lap, exactly as ip_vs_dh_reassign: IPVS's dh
 * does NOT tile by weight (sh does), so weights only matter as "0 takes
 * nothing".  A bucket whose dest has weight 0 or is unusable (overloaded,
 * MAC unknown) yields no dest: dh has no fallback.  The table is rebuilt
 * on every dest add, edit and removal (IPVS add/del/upd_dest).
 *
 * In drlb a service is one (protocol, VIP, port), so every connection of a
 * service hashes to the same bucket; dh is here for ipvsadm compatibility.
 */
#include <stdlib.h>

#include "../sched.h"
#include "iphash.h"

#define DH_TAB_BITS	8			/* IP_VS_DH_TAB_BITS */
#define DH_TAB_SIZE	(1 << DH_TAB_BITS)

struct dh_state {
	struct dest *buckets[DH_TAB_SIZE];
};

/* ip_vs_dh_hashkey: hash_32 of the folded address, as sh, lblc, lblcr */
static unsigned int
dh_hashkey(int af, const union drlb_inaddr *addr)
{
	return ipvs_hash_32(ipvs_addr_fold(af, addr), DH_TAB_BITS);
}

/* ip_vs_dh_reassign: bucket i gets dest i mod ndests, weight ignored */
static void
dh_reassign(struct dh_state *s, const struct svc *svc)
{
	uint32_t i, p = 0;

	for (i = 0; i < DH_TAB_SIZE; i++) {
		if (svc->ndests == 0) {
			s->buckets[i] = NULL;
			continue;
		}
		s->buckets[i] = svc->dests[p];
		if (++p == svc->ndests)
			p = 0;
	}
}

static int
dh_init_svc(struct svc *svc)
{
	struct dh_state *s;

	if ((s = malloc(sizeof(*s))) == NULL)
		return -1;
	dh_reassign(s, svc);
	svc->sched_data = s;
	return 0;
}

static void
dh_done_svc(struct svc *svc)
{
	free(svc->sched_data);
	svc->sched_data = NULL;
}

static void
dh_dest_changed(struct svc *svc)
{
	dh_reassign(svc->sched_data, svc);
}

static struct dest *
dh_schedule(struct svc *svc, const struct conn_key *key)
{
	const struct dh_state *s = svc->sched_data;
	struct dest *d;

	d = s->buckets[dh_hashkey(key->af, &key->vaddr)];
	if (d == NULL || d->conf.weight <= 0 || !dest_usable(d))
		return NULL;
	return d;
}

const struct sched_ops sched_dh = {
	.name		= "dh",
	.init_svc	= dh_init_svc,
	.done_svc	= dh_done_svc,
	.dest_changed	= dh_dest_changed,
	.schedule	= dh_schedule,
};
