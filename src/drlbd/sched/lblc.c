/*
 * Locality-Based Least-Connection (IPVS ip_vs_lblc.c).
 *
 * A cache maps each destination IP (the packet's, key->vaddr) to the real
 * server that last took it:
 *
 *   if cache[daddr] is empty: n = wlc pick, cache[daddr] = n
 *   else n = cache[daddr]; if n is gone, has weight 0, or is overloaded
 *        (n.activeconns > n.weight while some m has m.activeconns * 2 <
 *        m.weight): n = wlc pick, cache[daddr] = n
 *
 * Every use refreshes the entry.  A timer (IPVS: every 60 s) expires
 * entries: every 30th run, all those unused for lblc_expiration (24 h);
 * otherwise, only while there are more than 16 per bucket, those unused for
 * 6 minutes.  Here the timer runs from the tick hook, in seconds.
 *
 * As in IPVS, the cached server is kept even when over its -x threshold
 * (IPVS checks OVERLOAD only in the wlc pick).  drlb adds one condition: a
 * cached server whose MAC is unknown (NOMAC) cannot be forwarded to, so it
 * is re-picked like an unavailable one.
 *
 * Removed dests: an IPVS entry holds a reference, so a removed dest waits
 * in the trash, the entry is merely invalid (not AVAILABLE), and re-adding
 * the same RIP:port revives that very dest and makes the entry valid
 * again.  drlb cannot hold dests (one is freed when its last connection
 * goes), so at removal (dest_changed) an entry keeps only the RIP:port it
 * pointed to, and is pointed at the dest again when that RIP:port is
 * re-added.  The effect is IPVS's; no pointer to a removed dest is kept.
 *
 * IPVS scans the list for the wlc pick and for is_overloaded's "some dest
 * has room"; drlb answers both from lload.c's index (O(1) per decision,
 * O(log n) per load change), which also tells in O(1) whether an entry's
 * dest is still listed.  The answers are the scans'.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "drlb/addr.h"
#include "iphash.h"
#include "lload.h"

#define LBLC_TAB_BITS		10	/* CONFIG_IP_VS_LBLC_TAB_BITS */
#define LBLC_TAB_SIZE		(1u << LBLC_TAB_BITS)
#define LBLC_TAB_MASK		(LBLC_TAB_SIZE - 1)
#define LBLC_CHECK_INTERVAL	60	/* s, CHECK_EXPIRE_INTERVAL */
#define LBLC_ENTRY_TIMEOUT	(6 * 60)	/* s, ENTRY_TIMEOUT */
#define LBLC_EXPIRATION		(24 * 60 * 60)	/* s, lblc_expiration default */
#define LBLC_COUNT_FULL		30	/* COUNT_FOR_FULL_EXPIRATION */

struct lblc_entry {
	struct lblc_entry *next;
	union drlb_inaddr addr;		/* destination IP (the VIP) */
	struct dest *dest;		/* NULL while its dest is removed */
	union drlb_inaddr raddr;	/* the dest's RIP:port, to revive it */
	uint16_t rport;
	uint32_t lastuse;		/* s */
};

struct lblc_table {
	struct lblc_entry *bucket[LBLC_TAB_SIZE];
	uint32_t entries;
	uint32_t max_size;
	uint32_t rover;
	uint32_t counter;
	uint32_t now;			/* the last tick's clock */
	struct lload *ll;		/* the wlc pick and is_overloaded's room */
	uint32_t next_check;		/* when the IPVS timer would fire */
	bool timer_armed;
};

/* ip_vs_lblc_hashkey (hash_32 of the folded address) */
static uint32_t
lblc_hashkey(uint16_t af, const union drlb_inaddr *a)
{
	return ipvs_hash_32(ipvs_addr_fold(af, a), LBLC_TAB_BITS);
}

static struct lblc_entry *
lblc_get(struct lblc_table *t, uint16_t af, const union drlb_inaddr *a)
{
	struct lblc_entry *en;

	for (en = t->bucket[lblc_hashkey(af, a)]; en != NULL; en = en->next)
		if (memcmp(&en->addr, a, drlb_addr_len(af)) == 0)
			return en;
	return NULL;
}

static void
lblc_set_dest(struct lblc_entry *en, struct dest *d)
{
	en->dest = d;
	en->raddr = d->conf.addr;
	en->rport = d->conf.port;
}

/* ip_vs_lblc_new: create, or point an existing entry at dest */
static void
lblc_new(struct lblc_table *t, uint16_t af, const union drlb_inaddr *a,
    struct dest *d)
{
	struct lblc_entry *en = lblc_get(t, af, a);
	uint32_t h;

	if (en != NULL) {
		lblc_set_dest(en, d);
		return;
	}
	if ((en = calloc(1, sizeof(*en))) == NULL)
		return;			/* as IPVS: use the dest uncached */
	memcpy(&en->addr, a, drlb_addr_len(af));
	lblc_set_dest(en, d);
	en->lastuse = t->now;
	h = lblc_hashkey(af, a);
	en->next = t->bucket[h];
	t->bucket[h] = en;
	t->entries++;
}

static struct dest *
lblc_find_rip(const struct svc *svc, const struct lblc_entry *en)
{
	for (uint32_t i = 0; i < svc->ndests; i++) {
		struct dest *d = svc->dests[i];

		if (d->conf.port == en->rport && memcmp(&d->conf.addr,
		    &en->raddr, drlb_addr_len(svc->conf.af)) == 0)
			return d;
	}
	return NULL;
}

/* Forget removed dests; re-attach entries to a re-added RIP:port. */
static void
lblc_dest_changed(struct svc *svc)
{
	struct lblc_table *t = svc->sched_data;

	lload_rebuild(t->ll, svc);
	for (uint32_t b = 0; b < LBLC_TAB_SIZE; b++)
		for (struct lblc_entry *en = t->bucket[b]; en != NULL;
		    en = en->next) {
			if (en->dest != NULL &&
			    !lload_listed(t->ll, svc, en->dest))
				en->dest = NULL;
			if (en->dest == NULL)
				en->dest = lblc_find_rip(svc, en);
		}
}

/* Remove entries unused for `age` s from bucket j; returns how many. */
static uint32_t
lblc_expire_bucket(struct lblc_table *t, uint32_t j, uint32_t age)
{
	struct lblc_entry **pp = &t->bucket[j], *en;
	uint32_t n = 0;

	while ((en = *pp) != NULL) {
		/* IPVS: time_before(now, lastuse + age) keeps it */
		if ((int64_t)t->now < (int64_t)en->lastuse + age) {
			pp = &en->next;
			continue;
		}
		*pp = en->next;
		free(en);
		t->entries--;
		n++;
	}
	return n;
}

/* ip_vs_lblc_check_expire, one timer run */
static void
lblc_check_expire(struct lblc_table *t)
{
	uint32_t i, j;
	int64_t goal;

	if (t->counter % LBLC_COUNT_FULL == 0) {
		/* ip_vs_lblc_full_check */
		for (i = 0, j = t->rover; i < LBLC_TAB_SIZE; i++) {
			j = (j + 1) & LBLC_TAB_MASK;
			lblc_expire_bucket(t, j, LBLC_EXPIRATION);
		}
		t->rover = j;
		t->counter = 1;
		return;
	}
	if (t->entries <= t->max_size) {
		t->counter++;
		return;
	}
	goal = ((int64_t)t->entries - t->max_size) * 4 / 3;
	if (goal > t->max_size / 2)
		goal = t->max_size / 2;
	for (i = 0, j = t->rover; i < LBLC_TAB_SIZE; i++) {
		j = (j + 1) & LBLC_TAB_MASK;
		goal -= lblc_expire_bucket(t, j, LBLC_ENTRY_TIMEOUT);
		if (goal <= 0)
			break;
	}
	t->rover = j;
}

static void
lblc_tick(struct svc *svc, uint32_t now)
{
	struct lblc_table *t = svc->sched_data;

	t->now = now;
	if (!t->timer_armed) {
		/* IPVS arms the timer at init_service */
		t->next_check = now + LBLC_CHECK_INTERVAL;
		t->timer_armed = true;
		return;
	}
	if ((int32_t)(now - t->next_check) < 0)
		return;
	lblc_check_expire(t);
	t->next_check = now + LBLC_CHECK_INTERVAL;
}

static int
lblc_init_svc(struct svc *svc)
{
	struct lblc_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	if ((t->ll = lload_new(svc, LLOAD_WLC)) == NULL) {
		free(t);
		return -1;
	}
	t->max_size = LBLC_TAB_SIZE * 16;
	t->counter = 1;
	svc->sched_data = t;
	return 0;
}

static void
lblc_done_svc(struct svc *svc)
{
	struct lblc_table *t = svc->sched_data;

	if (t == NULL)
		return;
	for (uint32_t b = 0; b < LBLC_TAB_SIZE; b++)
		while (t->bucket[b] != NULL) {
			struct lblc_entry *en = t->bucket[b];

			t->bucket[b] = en->next;
			free(en);
		}
	lload_free(t->ll);
	free(t);
	svc->sched_data = NULL;
}

static void
lblc_dest_load_changed(struct svc *svc, struct dest *d)
{
	struct lblc_table *t = svc->sched_data;

	lload_update(t->ll, d);
}

/* is_overloaded: busy beyond its weight while another has room */
static bool
lblc_is_overloaded(const struct dest *dest, const struct lblc_table *t,
    const struct svc *svc)
{
	return (int64_t)dest->activeconns > dest->conf.weight &&
	    lload_any_room(t->ll, svc);
}

static struct dest *
lblc_schedule(struct svc *svc, const struct conn_key *key)
{
	struct lblc_table *t = svc->sched_data;
	struct lblc_entry *en;
	struct dest *d;

	if ((en = lblc_get(t, svc->conf.af, &key->vaddr)) != NULL) {
		en->lastuse = t->now;
		d = en->dest;
		if (d != NULL && d->conf.weight > 0 &&
		    !(d->flags & DEST_F_NOMAC) && !lblc_is_overloaded(d, t, svc))
			return d;
	}
	/* __ip_vs_lblc_schedule: wlc over the list, from the index */
	if ((d = lload_pick(t->ll, svc)) == NULL)
		return NULL;
	lblc_new(t, svc->conf.af, &key->vaddr, d);
	return d;
}

const struct sched_ops sched_lblc = {
	.name			= "lblc",
	.init_svc		= lblc_init_svc,
	.done_svc		= lblc_done_svc,
	.dest_changed		= lblc_dest_changed,
	.schedule		= lblc_schedule,
	.dest_load_changed	= lblc_dest_load_changed,
	.tick			= lblc_tick,
};
