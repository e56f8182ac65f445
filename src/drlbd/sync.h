/*
 * Connection synchronisation between directors, IPVS's sync daemon on the
 * wire (net/netfilter/ipvs/ip_vs_sync.c, message format version 1): the
 * master multicasts its connections and persistence templates to
 * 224.0.0.81:8848 (TTL 1) on one interface; a backup puts them in its own
 * table, bound to its own real servers by address, so that after a
 * failover every established connection keeps its real server.
 *
 * Two halves: a pure codec (sync_mesg_*: bytes <-> struct sync_conn, no
 * sockets, unit-tested against the kernel's layout) and the daemon (struct
 * sync: sockets, what to send when, applying what arrives).
 */
#ifndef DRLBD_SYNC_H
#define DRLBD_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include <poll.h>

#include "drlb/ctl-t.h"
#include "conn.h"

struct svc_table;
struct dp_frame;

#define SYNC_GROUP	0xe0000051u	/* 224.0.0.81, IP_VS_SYNC_GROUP */
#define SYNC_PORT	8848		/* IP_VS_SYNC_PORT */
#define SYNC_PROTO_VER	1
#define SYNC_MESG_HLEN	8		/* struct ip_vs_sync_mesg */
#define SYNC_V4_LEN	36		/* struct ip_vs_sync_v4 */
#define SYNC_V6_LEN	72		/* struct ip_vs_sync_v6 */
#define SYNC_BUF_MAX	65507		/* largest UDP payload */

/* IPVS connection flags as they travel (include/uapi/linux/ip_vs.h) */
#define SYNC_F_DROUTE	0x0003		/* IP_VS_CONN_F_DROUTE */
#define SYNC_F_FWD_MASK	0x0007
#define SYNC_F_NOOUTPUT	0x0080		/* replies bypass the director */
#define SYNC_F_INACTIVE	0x0100		/* not in ActiveConn */
#define SYNC_F_SEQ_MASK	0x0600		/* NAT sequence adjustment: never in DR */
#define SYNC_F_TEMPLATE	0x1000		/* a persistence template */

/* IPVS's default sysctls: a connection goes out at its 3rd packet, then
 * every 50th (sync_threshold, sync_period) */
#define SYNC_THRESHOLD	3
#define SYNC_PERIOD	50

/* One connection entry (ip_vs_sync_v4 / ip_vs_sync_v6), decoded.  Ports
 * and addresses in network order as in struct conn_key; the rest host. */
struct sync_conn {
	uint16_t af;			/* AF_INET, AF_INET6 */
	uint8_t  protocol;
	uint8_t  pad;
	uint32_t flags;			/* SYNC_F_* */
	uint16_t state;			/* IP_VS_TCP_S_* numbering (conn.h) */
	uint16_t cport, vport, dport;
	uint32_t fwmark;
	uint32_t timeout;		/* seconds */
	union drlb_inaddr caddr, vaddr, daddr;
};

/* ---- codec (pure) ---- */

/* Start a message in buf (>= SYNC_MESG_HLEN bytes): its 8-byte header. */
void sync_mesg_init(uint8_t *buf, uint8_t syncid);
/* Bytes used so far (the header's size field). */
size_t sync_mesg_len(const uint8_t *buf);
/* Append one entry (after padding the previous one to 32 bits, as IPVS
 * does); 0, or -1 when it does not fit in cap bytes or the message holds
 * 255 entries already. */
int sync_mesg_add(uint8_t *buf, size_t cap, const struct sync_conn *sc);

struct sync_decode_stats {
	uint32_t entries;		/* handed to fn */
	uint32_t skipped;		/* well-formed but not for us (unknown
					   mandatory option, PE data, ...) */
};
/*
 * Walk a received message as ip_vs_process_message does: the size must be
 * the datagram's, the syncid ours (unless want_syncid is 0), version 1.
 * fn gets each entry.  Returns 0, or -1 when the message is dropped (too
 * short, bad size, other syncid, version 0, an entry past the end).
 */
int sync_mesg_decode(const uint8_t *buf, size_t len, uint8_t want_syncid,
    void (*fn)(void *arg, const struct sync_conn *sc), void *arg,
    struct sync_decode_stats *st);

/* ---- table side (pure too: no sockets) ---- */

/* What the master sends for a connection or template of its table. */
void sync_conn_from(struct sync_conn *sc, struct conn_table *t,
    const struct conn *c);
/* Counters of applying entries (backup). */
struct sync_apply_stats {
	uint64_t created, updated, templates, no_dest, conflicts, table_full,
	    bad;
};
/* A backup applies one entry to its table: created or updated, bound to
 * its own real server with that address.  now in table ticks (s). */
void sync_apply(struct conn_set *cs, struct svc_table *st, uint32_t now,
    const struct sync_conn *sc, struct sync_apply_stats *as);

/* ---- the daemon ---- */

struct sync;

struct sync *sync_create(struct conn_set *cs, struct svc_table *st,
    uint32_t max_conns);
void sync_destroy(struct sync *s);
/*
 * Start the master or backup half with this configuration (sockets bound to
 * conf->mcast_ifn; needs no capability).  0, or -1 with errno (EEXIST: that
 * half runs already) and a message in err.
 */
int sync_start(struct sync *s, const struct drlb_ctl_daemon *conf,
    char *err, size_t errlen);
/* Stop one half; -1 with errno ESRCH when it was not running. */
int sync_stop(struct sync *s, uint32_t state);
/* The two halves' configurations, master then backup (state 0: stopped). */
void sync_get(const struct sync *s, struct drlb_ctl_daemon out[2]);
int sync_master_on(const struct sync *s);

/* Master: a frame of one of our connections was forwarded. */
/* The data path forwarded a frame of c (the master counts and sends). */
void sync_forwarded(void *s, struct conn *c, uint32_t now);
/* A connection leaves the table (the conn table's expire hook). */
void sync_conn_gone(struct sync *s, const struct conn *c);
/* Backup: the fds to poll (0 or 1), and serve them. */
int sync_pollfds(struct sync *s, struct pollfd *pfd, int max);
void sync_serve(struct sync *s, const struct pollfd *pfd, int n, uint32_t now);
/* Every tick (100 ms): the master sends what it has gathered. */
void sync_tick(struct sync *s);

/* "name value" lines for --counters; returns bytes written (< cap) */
int sync_counters_text(const struct sync *s, char *buf, size_t cap);

#endif
