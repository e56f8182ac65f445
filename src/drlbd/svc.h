/*
 * Services (virtual services, "VIP:port") and their real servers (dests), as
 * the daemon keeps them at run time.  The plain-data part of each is the
 * drlb_*_conf that crosses the control socket.
 */
#ifndef DRLBD_SVC_H
#define DRLBD_SVC_H

#include <stdbool.h>
#include <stdint.h>
#include "drlb/svc-t.h"
#include "drlb/ctl-t.h"

struct sched_ops;
struct svc;

/* dest->flags */
#define DEST_F_AVAILABLE	0x0001	/* linked in its service (IPVS IP_VS_DEST_F_AVAILABLE) */
#define DEST_F_OVERLOAD		0x0002	/* over -x (IPVS IP_VS_DEST_F_OVERLOAD) */
#define DEST_F_NOMAC		0x0004	/* MAC not (or no longer) known: cannot forward */

/*
 * With workers, the per-frame counters go to one cache line per worker
 * (nobody else writes it, no lock); the main thread adds them into stats
 * while the workers are paused (svc_fold_stats), before anything reads.
 */
#define SVC_WORKERS_MAX 16		/* = FANOUT_MAX */
struct svc_wstats {
	uint64_t inpkts;
	uint64_t inbytes;
} __attribute__((aligned(64)));

/* A real server of one service. */
struct dest {
	struct drlb_dest_conf conf;
	struct svc *svc;
	uint32_t flags;			/* DEST_F_* */
	uint32_t activeconns;		/* TCP in SYN_SENT, SYN_RECV, ESTABLISHED, SYNACK */
	uint32_t inactconns;		/* all the others */
	uint32_t persistconns;		/* persistence templates */
	uint32_t refcnt;		/* the service's link + each connection */
	uint8_t  mac[6];		/* where DR frames for this RIP go */
	uint8_t  mac_state;		/* DRLB_MAC_* */
	uint8_t  link;			/* out of which of drlbd's interfaces */
	struct drlb_stats stats;
	struct drlb_rates rates;
	void    *sched_data;		/* per-dest state of a scheduler, if any */
	struct svc_wstats w[SVC_WORKERS_MAX];
	struct dest *trash_next;	/* removed but still referenced (IPVS dest_trash) */
};

/* A virtual service. */
struct svc {
	struct drlb_svc_conf conf;
	/*
	 * Real servers in IPVS's list order: IPVS adds a dest at the head of
	 * svc->destinations, so the newest comes first, and that order decides
	 * schedulers' ties.  dests[0] is the newest.
	 */
	struct dest **dests;
	uint32_t ndests, cap;
	const struct sched_ops *sched;
	void *sched_data;
	struct drlb_stats stats;
	struct drlb_rates rates;
	struct svc_wstats w[SVC_WORKERS_MAX];
	struct svc *next;
	/*
	 * 1 while the service is in the table, + 1 per dest whose ->svc points
	 * here (linked or in the trash): a deleted service whose removed dests
	 * still carry connections stays allocated (unlinked, no scheduler)
	 * until the last of them goes, so dest->svc is always valid.
	 */
	uint32_t refcnt;
};

/* The usable test every scheduler applies (IPVS: !(flags & OVERLOAD)). */
static inline bool
dest_usable(const struct dest *d)
{
	return (d->flags & (DEST_F_OVERLOAD | DEST_F_NOMAC)) == 0;
}

/* All services of one daemon. */
struct svc_table {
	struct svc *head;		/* in order of creation */
	uint32_t count;
	struct dest *trash;		/* dests removed while connections still use them */
	/* --set values; SET_TIMEOUT only records them here, the caller applies
	 * them to its connection tables (conn_set_timeouts_all) */
	struct drlb_timeouts timeouts;
	/* called when a dest is created (to resolve its MAC) or a service's VIP
	 * set changes (to re-attach the capture filter); may be NULL */
	void (*on_dest_added)(void *arg, struct dest *d);
	void (*on_vips_changed)(void *arg);
	/* called just before a dest's memory is freed (removed and its last
	 * connection gone): forget any pointer to it; may be NULL */
	void (*on_dest_freed)(void *arg, struct dest *d);
	void *cb_arg;
};

void svc_table_init(struct svc_table *t);
void svc_table_free(struct svc_table *t);

/*
 * Apply one control request (DRLB_CTL_FLUSH .. DRLB_CTL_SET_TIMEOUT) with
 * IPVS's checks and semantics.  Returns 0, or a positive errno and writes
 * libipvs's message into err ("Service already exists", "No such service",
 * "No such destination", "Destination already exists",
 * "Scheduler or persistence engine not found", ...).
 * Changes never touch existing connections.
 */
int svc_apply(struct svc_table *t, uint16_t op, const struct drlb_ctl_req *req,
    char *err, size_t errlen);

/* Lookup by (protocol, VIP, port); IPv4 addresses in network order. */
struct svc *svc_find(struct svc_table *t, uint16_t af, uint16_t protocol,
    const union drlb_inaddr *addr, uint16_t port);
/* Is addr one of our VIPs (any service, any port)? */
bool svc_is_vip(struct svc_table *t, uint16_t af, const union drlb_inaddr *addr);

/* Add the workers' per-frame counters into stats (workers paused). */
void svc_fold_stats(struct svc_table *t);

/* References held by connections (a removed dest stays in the trash until
 * its last connection goes). */
void dest_hold(struct dest *d);
void dest_put(struct svc_table *t, struct dest *d);

/*
 * IPVS's -x/-y (ip_vs_dest_update_overload, as ip_vs_bind_dest and
 * ip_vs_unbind_dest call it for connections, never for templates), called
 * by the connection table after it counted a new connection on d (bind) or
 * uncounted one (unbind): overloaded when active + inactive reaches
 * u_threshold; cleared when it drops below the lower threshold (-y, or
 * without one u_threshold - u_threshold / 4).  An -e that changes -x or -y
 * sets it at or above the new -x and clears it below the new lower
 * threshold.  Both tell d's scheduler that its load changed.
 */
void dest_overload_bind(struct dest *d);
void dest_overload_unbind(struct dest *d);

/*
 * Serialize for the control socket (GET_SERVICES): body is malloc'ed.
 * Services in creation order, dests in IPVS list order; drlbadm sorts.
 */
int svc_serialize(struct svc_table *t, void **body, uint32_t *len);

#endif
