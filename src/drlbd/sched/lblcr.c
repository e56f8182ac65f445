/*
 * Locality-Based Least-Connection with Replication (IPVS ip_vs_lblcr.c).
 *
 * As lblc, but each destination IP maps to a set of real servers:
 *
 *   if set[daddr] is empty: n = wlc pick, set[daddr] = {n}
 *   else n = the weighted least-connection member of set[daddr]
 *        (skipping overloaded, removed and weight-0 members);
 *        if |set| > 1 and the set was last modified more than
 *        lblcr_expiration (24 h) ago: remove its weighted most-connection
 *        member (the set shrinks back);
 *        if no n, or n is overloaded (n.activeconns > n.weight while some
 *        m has m.activeconns * 2 < m.weight): n = wlc pick, added to the set
 *
 * A member is added at the head of its set (IPVS list_add), which decides
 * ties.  Entries expire as in lblc (60 s timer from the tick hook, full
 * check of 24 h every 30th run, 6 min when over 16 entries per bucket).
 *
 * drlb differences, both forced by drlb's dest lifetime: IPVS set members
 * hold references, so a removed dest waits in the trash, still counts in
 * its sets, can still be the "most loaded" member that a shrink removes,
 * and is the same dest again when its RIP:port is re-added.  drlb frees a
 * removed dest when its last connection goes, so at removal
 * (dest_changed) a member keeps the RIP:port and the weight and load the
 * dest had then, and is re-attached when that RIP:port is re-added.  The
 * only difference from IPVS: a removed member's load, for the shrink
 * rule, is the one it had when removed (IPVS reads the live count, which
 * can only fall).  No pointer to a removed dest is ever kept.
 * As in lblc, a member with no known MAC (NOMAC) is skipped like an
 * overloaded one; IPVS has no such state.
 *
 * IPVS scans the list for the wlc pick and for is_overloaded's "some dest
 * has room"; drlb answers both from lload.c's index (O(1) per decision,
 * O(log n) per load change), which also tells in O(1) whether a member's
 * dest is still listed.  A set also grows, with few destination IPs, to
 * most of the list, and IPVS scans it on every decision (set_min): drlb
 * keeps a tournament tree per set (lload.c's) over its members in set
 * order, and each dest's members of every set chained, so a load change
 * re-plays the trees of the sets holding that dest, O(k log s), and set_min
 * reads a root.  The answers are the scans'.  set_max, for the shrink once
 * a day, still scans.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "drlb/addr.h"
#include "iphash.h"
#include "lload.h"

#define LBLCR_TAB_BITS		10	/* CONFIG_IP_VS_LBLCR_TAB_BITS */
#define LBLCR_TAB_SIZE		(1u << LBLCR_TAB_BITS)
#define LBLCR_TAB_MASK		(LBLCR_TAB_SIZE - 1)
#define LBLCR_CHECK_INTERVAL	60		/* s, CHECK_EXPIRE_INTERVAL */
#define LBLCR_ENTRY_TIMEOUT	(6 * 60)	/* s, ENTRY_TIMEOUT */
#define LBLCR_EXPIRATION	(24 * 60 * 60)	/* s, lblcr_expiration default */
#define LBLCR_COUNT_FULL	30		/* COUNT_FOR_FULL_EXPIRATION */

struct lblcr_entry;

struct lblcr_elem {
	struct lblcr_elem *next;	/* in its set, newest first */
	struct dest *dest;		/* NULL while removed from the service */
	union drlb_inaddr raddr;	/* RIP:port, to re-attach */
	uint16_t rport;
	int32_t  weight;		/* snapshot while removed */
	uint64_t overhead;		/* snapshot while removed */
	/* the index */
	struct lblcr_entry *en;		/* the set it is in */
	uint32_t seq;			/* order of insertion in the set */
	struct lblcr_elem *dnext;	/* the same dest's members, any set */
	struct lblcr_elem **dprev;	/* NULL: not chained */
};

struct lblcr_entry {
	struct lblcr_entry *next;
	union drlb_inaddr addr;		/* destination IP (the VIP) */
	struct lblcr_elem *set;		/* newest first */
	uint32_t size;
	uint32_t lastmod;		/* s, set changed */
	uint32_t lastuse;		/* s */
	/*
	 * set_min's tree: the member of seq s at slot leaves - 1 - s, so
	 * the newest is leftmost and wins ties, as set order wants.  NULL
	 * (no memory): set_min scans.
	 */
	struct lload_node *node;
	struct lblcr_elem **slot;	/* by seq */
	uint32_t leaves;
	uint32_t nseq;			/* the next member's seq */
};

struct lblcr_table {
	struct lblcr_entry *bucket[LBLCR_TAB_SIZE];
	uint32_t entries;
	uint32_t max_size;
	uint32_t rover;
	uint32_t counter;
	uint32_t now;			/* the last tick's clock */
	struct lload *ll;		/* the wlc pick and is_overloaded's room */
	uint32_t next_check;
	bool timer_armed;
	/*
	 * By list position, the chain of that dest's members.  indexed:
	 * heads and every set's tree are up to date; false after a rebuild
	 * without memory, until the next: set_min then scans.
	 */
	struct lblcr_elem **heads;
	uint32_t nheads;
	bool indexed;
};

/* ip_vs_lblcr_hashkey (hash_32 of the folded address) */
static uint32_t
lblcr_hashkey(uint16_t af, const union drlb_inaddr *a)
{
	return ipvs_hash_32(ipvs_addr_fold(af, a), LBLCR_TAB_BITS);
}

/* a member's weight and load: live, or as it was when removed */
static int32_t
elem_weight(const struct lblcr_elem *e)
{
	return e->dest != NULL ? e->dest->conf.weight : e->weight;
}

static uint64_t
elem_overhead(const struct lblcr_elem *e)
{
	return e->dest != NULL ? dest_conn_overhead(e->dest) : e->overhead;
}

/* ------------------------------------------------------ the set index */

static struct lload_node
set_leaf(const struct lblcr_entry *en, const struct lblcr_elem *e)
{
	uint32_t leaf = en->leaves - 1 - e->seq;

	if (e->dest == NULL)
		return (struct lload_node){ 0, 0, LLOAD_NONE };
	return lload_wlc_leaf(e->dest, leaf);
}

/* (Re)build en's tree: members renumbered in set order, room to grow;
 * without memory, none (set_min scans). */
static void
set_tree_build(struct lblcr_entry *en)
{
	struct lload_node *node;
	struct lblcr_elem **slot, *e;
	uint32_t leaves = 2, seq = en->size, i;

	while (leaves < 2 * en->size)
		leaves <<= 1;
	if (leaves != en->leaves || en->node == NULL) {
		node = malloc(2 * (size_t)leaves * sizeof(*node));
		slot = malloc((size_t)leaves * sizeof(*slot));
		if (node == NULL || slot == NULL) {
			free(node);
			free(slot);
			free(en->node);
			free(en->slot);
			en->node = NULL;
			en->slot = NULL;
			en->leaves = 0;
			return;
		}
		free(en->node);
		free(en->slot);
		en->node = node;
		en->slot = slot;
		en->leaves = leaves;
	}
	for (i = 0; i < leaves; i++) {
		en->node[leaves + i] = (struct lload_node){ 0, 0, LLOAD_NONE };
		en->slot[i] = NULL;
	}
	for (e = en->set; e != NULL; e = e->next) {
		e->seq = --seq;
		en->slot[e->seq] = e;
		en->node[leaves + leaves - 1 - e->seq] = set_leaf(en, e);
	}
	en->nseq = en->size;
	lload_tree_build(en->node, leaves);
}

static void
set_tree_free(struct lblcr_entry *en)
{
	free(en->node);
	free(en->slot);
	en->node = NULL;
	en->slot = NULL;
	en->leaves = 0;
}

/* e has just joined en's set (at its head): into the tree and its dest's
 * chain */
static void
set_index_add(struct lblcr_table *t, struct lblcr_entry *en,
    struct lblcr_elem *e)
{
	uint32_t p;

	e->en = en;
	if (!t->indexed)
		return;
	if ((p = lload_pos(t->ll, e->dest)) == LLOAD_NONE ||
	    p >= t->nheads) {
		t->indexed = false;	/* cannot happen: the list is indexed */
		return;
	}
	e->dnext = t->heads[p];
	if (e->dnext != NULL)
		e->dnext->dprev = &e->dnext;
	e->dprev = &t->heads[p];
	t->heads[p] = e;
	if (en->node == NULL || en->nseq == en->leaves)
		set_tree_build(en);
	else {
		e->seq = en->nseq++;
		en->slot[e->seq] = e;
		lload_tree_set(en->node, en->leaves, en->leaves - 1 - e->seq,
		    set_leaf(en, e));
	}
}

/* e leaves en's set: out of the tree and the chain */
static void
set_index_del(struct lblcr_entry *en, struct lblcr_elem *e)
{
	if (e->dprev != NULL) {
		if (e->dnext != NULL)
			e->dnext->dprev = e->dprev;
		*e->dprev = e->dnext;
		e->dprev = NULL;
		e->dnext = NULL;
	}
	if (en->node != NULL && e->seq < en->nseq && en->slot[e->seq] == e) {
		en->slot[e->seq] = NULL;
		lload_tree_set(en->node, en->leaves, en->leaves - 1 - e->seq,
		    (struct lload_node){ 0, 0, LLOAD_NONE });
	}
}

/*
 * The list changed: positions moved, members were detached or re-attached
 * and weights edited.  Chain every attached member under its dest's
 * position and rebuild every set's tree, O(members).
 */
static void
lblcr_reindex(struct svc *svc, struct lblcr_table *t)
{
	struct lblcr_elem **heads = NULL;
	uint32_t n = svc->ndests, b, p;
	struct lblcr_entry *en;
	struct lblcr_elem *e;

	t->indexed = false;
	if (n > 0 && (heads = calloc(n, sizeof(*heads))) == NULL)
		return;
	free(t->heads);
	t->heads = heads;
	t->nheads = n;
	for (b = 0; b < LBLCR_TAB_SIZE; b++)
		for (en = t->bucket[b]; en != NULL; en = en->next)
			for (e = en->set; e != NULL; e = e->next)
				e->dprev = NULL;
	for (b = 0; b < LBLCR_TAB_SIZE; b++)
		for (en = t->bucket[b]; en != NULL; en = en->next) {
			for (e = en->set; e != NULL; e = e->next) {
				if (e->dest == NULL)
					continue;
				if ((p = lload_pos(t->ll, e->dest)) ==
				    LLOAD_NONE)
					return;	/* lload degraded */
				e->dnext = heads[p];
				if (e->dnext != NULL)
					e->dnext->dprev = &e->dnext;
				e->dprev = &heads[p];
				heads[p] = e;
			}
			set_tree_build(en);
		}
	t->indexed = true;
}

/* ------------------------------------------------------ the sets */

/* ip_vs_dest_set_insert */
static void
set_insert(struct lblcr_table *t, struct lblcr_entry *en, struct dest *d,
    bool check)
{
	struct lblcr_elem *e;
	uint32_t p;

	if (check && t->indexed &&
	    (p = lload_pos(t->ll, d)) != LLOAD_NONE && p < t->nheads) {
		/* d's members, one per set holding it */
		for (e = t->heads[p]; e != NULL; e = e->dnext)
			if (e->en == en)
				return;
	} else if (check)
		for (e = en->set; e != NULL; e = e->next)
			if (e->dest == d)
				return;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return;
	e->dest = d;
	e->raddr = d->conf.addr;
	e->rport = d->conf.port;
	e->next = en->set;
	en->set = e;
	en->size++;
	en->lastmod = t->now;
	set_index_add(t, en, e);
}

/* ip_vs_dest_set_erase */
static void
set_erase(struct lblcr_table *t, struct lblcr_entry *en,
    struct lblcr_elem *victim)
{
	struct lblcr_elem **pp;

	for (pp = &en->set; *pp != NULL; pp = &(*pp)->next)
		if (*pp == victim) {
			*pp = victim->next;
			set_index_del(en, victim);
			free(victim);
			en->size--;
			en->lastmod = t->now;
			return;
		}
}

static void
set_eraseall(struct lblcr_entry *en)
{
	while (en->set != NULL) {
		struct lblcr_elem *e = en->set;

		en->set = e->next;
		set_index_del(en, e);
		free(e);
	}
	en->size = 0;
	set_tree_free(en);
}

/*
 * ip_vs_dest_set_min: the first usable, available member of weight > 0,
 * then any usable one strictly less loaded per weight: the root of the
 * set's tree, or the scan.
 */
static struct dest *
set_min(const struct lblcr_table *t, const struct lblcr_entry *en)
{
	const struct lblcr_elem *e;
	struct dest *least = NULL, *d;
	uint64_t loh = 0, doh;

	if (t->indexed && en->node != NULL) {
		uint32_t pos = en->node[1].pos;

		return pos == LLOAD_NONE ? NULL :
		    en->slot[en->leaves - 1 - pos]->dest;
	}
	for (e = en->set; e != NULL; e = e->next) {
		least = e->dest;
		if (least == NULL || !dest_usable(least))
			continue;
		if (least->conf.weight > 0) {
			loh = dest_conn_overhead(least);
			break;
		}
	}
	if (e == NULL)
		return NULL;
	for (e = e->next; e != NULL; e = e->next) {
		d = e->dest;
		if (d == NULL || !dest_usable(d))
			continue;
		doh = dest_conn_overhead(d);
		if (loh * (uint64_t)d->conf.weight >
		    doh * (uint64_t)least->conf.weight) {
			least = d;
			loh = doh;
		}
	}
	return least;
}

/*
 * ip_vs_dest_set_max: the first member of weight > 0, then any of weight
 * > 0 strictly more loaded per weight.  No flag is checked (IPVS does not:
 * a removed or overloaded member may be the one to go).
 */
static struct lblcr_elem *
set_max(const struct lblcr_entry *en)
{
	struct lblcr_elem *e, *most;
	uint64_t moh, doh;

	for (e = en->set; e != NULL; e = e->next)
		if (elem_weight(e) > 0)
			break;
	if (e == NULL)
		return NULL;
	most = e;
	moh = elem_overhead(most);
	for (e = e->next; e != NULL; e = e->next) {
		if (elem_weight(e) <= 0)
			continue;
		/* moh / mw < doh / dw  <=>  moh * dw < doh * mw */
		doh = elem_overhead(e);
		if (moh * (uint64_t)elem_weight(e) <
		    doh * (uint64_t)elem_weight(most)) {
			most = e;
			moh = doh;
		}
	}
	return most;
}

static struct lblcr_entry *
lblcr_get(struct lblcr_table *t, uint16_t af, const union drlb_inaddr *a)
{
	struct lblcr_entry *en;

	for (en = t->bucket[lblcr_hashkey(af, a)]; en != NULL; en = en->next)
		if (memcmp(&en->addr, a, drlb_addr_len(af)) == 0)
			return en;
	return NULL;
}

/* ip_vs_lblcr_new for a daddr without an entry */
static void
lblcr_new(struct lblcr_table *t, uint16_t af, const union drlb_inaddr *a,
    struct dest *d)
{
	struct lblcr_entry *en;
	uint32_t h;

	if ((en = calloc(1, sizeof(*en))) == NULL)
		return;			/* as IPVS: use the dest uncached */
	memcpy(&en->addr, a, drlb_addr_len(af));
	en->lastuse = t->now;
	set_insert(t, en, d, false);
	h = lblcr_hashkey(af, a);
	en->next = t->bucket[h];
	t->bucket[h] = en;
	t->entries++;
}

static struct dest *
lblcr_find_rip(const struct svc *svc, const struct lblcr_elem *e)
{
	for (uint32_t i = 0; i < svc->ndests; i++) {
		struct dest *d = svc->dests[i];

		if (d->conf.port == e->rport && memcmp(&d->conf.addr,
		    &e->raddr, drlb_addr_len(svc->conf.af)) == 0)
			return d;
	}
	return NULL;
}

/* Detach removed members (keeping what set_max needs); re-attach re-added. */
static void
lblcr_dest_changed(struct svc *svc)
{
	struct lblcr_table *t = svc->sched_data;

	lload_rebuild(t->ll, svc);
	for (uint32_t b = 0; b < LBLCR_TAB_SIZE; b++)
		for (struct lblcr_entry *en = t->bucket[b]; en != NULL;
		    en = en->next)
			for (struct lblcr_elem *e = en->set; e != NULL;
			    e = e->next) {
				if (e->dest != NULL &&
				    !lload_listed(t->ll, svc, e->dest)) {
					e->weight = e->dest->conf.weight;
					e->overhead = dest_conn_overhead(e->dest);
					e->dest = NULL;
				}
				if (e->dest == NULL)
					e->dest = lblcr_find_rip(svc, e);
			}
	lblcr_reindex(svc, t);
}

static uint32_t
lblcr_expire_bucket(struct lblcr_table *t, uint32_t j, uint32_t age)
{
	struct lblcr_entry **pp = &t->bucket[j], *en;
	uint32_t n = 0;

	while ((en = *pp) != NULL) {
		if ((int64_t)t->now < (int64_t)en->lastuse + age) {
			pp = &en->next;
			continue;
		}
		*pp = en->next;
		set_eraseall(en);
		free(en);
		t->entries--;
		n++;
	}
	return n;
}

/* ip_vs_lblcr_check_expire, one timer run */
static void
lblcr_check_expire(struct lblcr_table *t)
{
	uint32_t i, j;
	int64_t goal;

	if (t->counter % LBLCR_COUNT_FULL == 0) {
		for (i = 0, j = t->rover; i < LBLCR_TAB_SIZE; i++) {
			j = (j + 1) & LBLCR_TAB_MASK;
			lblcr_expire_bucket(t, j, LBLCR_EXPIRATION);
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
	for (i = 0, j = t->rover; i < LBLCR_TAB_SIZE; i++) {
		j = (j + 1) & LBLCR_TAB_MASK;
		goal -= lblcr_expire_bucket(t, j, LBLCR_ENTRY_TIMEOUT);
		if (goal <= 0)
			break;
	}
	t->rover = j;
}

static void
lblcr_tick(struct svc *svc, uint32_t now)
{
	struct lblcr_table *t = svc->sched_data;

	t->now = now;
	if (!t->timer_armed) {
		t->next_check = now + LBLCR_CHECK_INTERVAL;
		t->timer_armed = true;
		return;
	}
	if ((int32_t)(now - t->next_check) < 0)
		return;
	lblcr_check_expire(t);
	t->next_check = now + LBLCR_CHECK_INTERVAL;
}

static int
lblcr_init_svc(struct svc *svc)
{
	struct lblcr_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	if ((t->ll = lload_new(svc, LLOAD_WLC)) == NULL) {
		free(t);
		return -1;
	}
	t->max_size = LBLCR_TAB_SIZE * 16;
	t->counter = 1;
	lblcr_reindex(svc, t);		/* without memory: sets scanned */
	svc->sched_data = t;
	return 0;
}

static void
lblcr_done_svc(struct svc *svc)
{
	struct lblcr_table *t = svc->sched_data;

	if (t == NULL)
		return;
	for (uint32_t b = 0; b < LBLCR_TAB_SIZE; b++)
		while (t->bucket[b] != NULL) {
			struct lblcr_entry *en = t->bucket[b];

			t->bucket[b] = en->next;
			set_eraseall(en);
			free(en);
		}
	lload_free(t->ll);
	free(t->heads);
	free(t);
	svc->sched_data = NULL;
}

static void
lblcr_dest_load_changed(struct svc *svc, struct dest *d)
{
	struct lblcr_table *t = svc->sched_data;
	uint32_t p;

	lload_update(t->ll, d);
	if (!t->indexed || (p = lload_pos(t->ll, d)) == LLOAD_NONE ||
	    p >= t->nheads)
		return;
	/* every set holding d */
	for (struct lblcr_elem *e = t->heads[p]; e != NULL; e = e->dnext) {
		struct lblcr_entry *en = e->en;

		if (en->node != NULL)
			lload_tree_set(en->node, en->leaves,
			    en->leaves - 1 - e->seq, set_leaf(en, e));
	}
}

/* is_overloaded: busy beyond its weight while another has room */
static bool
lblcr_is_overloaded(const struct dest *dest, const struct lblcr_table *t,
    const struct svc *svc)
{
	return (int64_t)dest->activeconns > dest->conf.weight &&
	    lload_any_room(t->ll, svc);
}

static struct dest *
lblcr_schedule(struct svc *svc, const struct conn_key *key)
{
	struct lblcr_table *t = svc->sched_data;
	struct lblcr_entry *en;
	struct dest *d;

	if ((en = lblcr_get(t, svc->conf.af, &key->vaddr)) != NULL) {
		en->lastuse = t->now;
		d = set_min(t, en);
		/* more than one member and unchanged for long: shrink */
		if (en->size > 1 &&
		    (int64_t)t->now > (int64_t)en->lastmod + LBLCR_EXPIRATION) {
			struct lblcr_elem *m = set_max(en);

			if (m != NULL)
				set_erase(t, en, m);
		}
		if (d != NULL && !lblcr_is_overloaded(d, t, svc))
			return d;
		/* __ip_vs_lblcr_schedule: wlc over the list, from the
		 * index */
		if ((d = lload_pick(t->ll, svc)) == NULL)
			return NULL;
		set_insert(t, en, d, true);
		return d;
	}
	if ((d = lload_pick(t->ll, svc)) == NULL)
		return NULL;
	lblcr_new(t, svc->conf.af, &key->vaddr, d);
	return d;
}

const struct sched_ops sched_lblcr = {
	.name			= "lblcr",
	.init_svc		= lblcr_init_svc,
	.done_svc		= lblcr_done_svc,
	.dest_changed		= lblcr_dest_changed,
	.schedule		= lblcr_schedule,
	.dest_load_changed	= lblcr_dest_load_changed,
	.tick			= lblcr_tick,
};
