/*
 * Source Hashing (IPVS ip_vs_sh.c): a 256-bucket table maps a hash of the
 * client's address (and, with sh-port, its port) to a dest, so a client
 * keeps its real server as long as the dest set does not change.
 *
 * The table (ip_vs_sh_reassign) is tiled over the dest list, newest first:
 * each dest fills `weight` consecutive buckets (at least one: a weight-0
 * dest still owns one bucket per lap, which then yields nothing), and the
 * pattern repeats until all 256 buckets are filled.  It is rebuilt on every
 * dest add, edit and removal (IPVS add/del/upd_dest), so sh is not
 * consistent hashing: removing a dest reshuffles most buckets, and a dest
 * that comes back goes to the head of the list, not to its old place.
 *
 * A bucket's dest is unavailable when its weight is 0 or it is unusable
 * (IPVS: OVERLOAD; drlb also: MAC unknown).  Then:
 *   default      no dest (the packet is refused)
 *   sh-fallback  (DRLB_SVC_F_SCHED1) walk the table as ip_vs_sh_get_fallback
 *                for the first available dest
 * sh-port (DRLB_SVC_F_SCHED2) adds the client port to the hash for TCP,
 * UDP and SCTP.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "../sched.h"
#include "iphash.h"

#define SH_TAB_BITS	8			/* IP_VS_SH_TAB_BITS */
#define SH_TAB_SIZE	(1 << SH_TAB_BITS)
#define SH_TAB_MASK	(SH_TAB_SIZE - 1)

#define SH_F_FALLBACK	DRLB_SVC_F_SCHED1	/* IP_VS_SVC_F_SCHED_SH_FALLBACK */
#define SH_F_PORT	DRLB_SVC_F_SCHED2	/* IP_VS_SVC_F_SCHED_SH_PORT */

struct sh_state {
	struct dest *buckets[SH_TAB_SIZE];
};

/*
 * ip_vs_sh_hashkey: host-order port plus host-order address (IPv6: its four
 * 32-bit words XORed first), summed modulo 2^32, through hash_32; offset
 * is added after hashing (the fallback walk).
 */
static inline unsigned int
sh_hashkey(int af, const union drlb_inaddr *addr, uint16_t port,
    unsigned int offset)
{
	return (offset + ipvs_hash_32((uint32_t)ntohs(port) +
	    ipvs_addr_fold(af, addr), SH_TAB_BITS)) & SH_TAB_MASK;
}

static inline bool
sh_unavailable(const struct dest *d)
{
	return d->conf.weight <= 0 || !dest_usable(d);
}

static struct dest *
sh_get(const struct sh_state *s, int af, const union drlb_inaddr *addr,
    uint16_t port)
{
	struct dest *d = s->buckets[sh_hashkey(af, addr, port, 0)];

	return (d == NULL || sh_unavailable(d)) ? NULL : d;
}

/*
 * ip_vs_sh_get_fallback, as IPVS has it: the walk's n-th step (n = 0..255)
 * looks at bucket (n + ihash) + ihash, i.e. it starts at 2 * ihash, not at
 * the bucket after ihash.  Deterministic per key; every bucket is tried
 * once.
 */
static struct dest *
sh_get_fallback(const struct sh_state *s, int af,
    const union drlb_inaddr *addr, uint16_t port)
{
	unsigned int offset, roffset, hash, ihash;
	struct dest *d;

	ihash = sh_hashkey(af, addr, port, 0);
	d = s->buckets[ihash];
	if (d == NULL)
		return NULL;
	if (!sh_unavailable(d))
		return d;
	for (offset = 0; offset < SH_TAB_SIZE; offset++) {
		roffset = (offset + ihash) % SH_TAB_SIZE;
		hash = sh_hashkey(af, addr, port, roffset);
		d = s->buckets[hash];
		if (d == NULL)
			break;
		if (!sh_unavailable(d))
			return d;
	}
	return NULL;
}

/* ip_vs_sh_reassign: each dest fills max(weight, 1) consecutive buckets */
static void
sh_reassign(struct sh_state *s, const struct svc *svc)
{
	uint32_t i, p = 0;
	int32_t d_count = 0;

	for (i = 0; i < SH_TAB_SIZE; i++) {
		struct dest *d;

		if (svc->ndests == 0) {
			s->buckets[i] = NULL;
			continue;
		}
		d = svc->dests[p];
		s->buckets[i] = d;
		/* don't move to the next dest until its weight is filled */
		if (++d_count >= d->conf.weight) {
			if (++p == svc->ndests)
				p = 0;
			d_count = 0;
		}
	}
}

static int
sh_init_svc(struct svc *svc)
{
	struct sh_state *s;

	if ((s = malloc(sizeof(*s))) == NULL)
		return -1;
	sh_reassign(s, svc);
	svc->sched_data = s;
	return 0;
}

static void
sh_done_svc(struct svc *svc)
{
	free(svc->sched_data);
	svc->sched_data = NULL;
}

static void
sh_dest_changed(struct svc *svc)
{
	sh_reassign(svc->sched_data, svc);
}

static struct dest *
sh_schedule(struct svc *svc, const struct conn_key *key)
{
	const struct sh_state *s = svc->sched_data;
	uint16_t port = 0;

	/* ip_vs_sh_get_port: the source port of TCP, UDP and SCTP */
	if ((svc->conf.flags & SH_F_PORT) &&
	    (key->protocol == IPPROTO_TCP || key->protocol == IPPROTO_UDP ||
	    key->protocol == IPPROTO_SCTP))
		port = key->cport;
	if (svc->conf.flags & SH_F_FALLBACK)
		return sh_get_fallback(s, key->af, &key->caddr, port);
	return sh_get(s, key->af, &key->caddr, port);
}

const struct sched_ops sched_sh = {
	.name		= "sh",
	.init_svc	= sh_init_svc,
	.done_svc	= sh_done_svc,
	.dest_changed	= sh_dest_changed,
	.schedule	= sh_schedule,
};
