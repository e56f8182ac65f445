/*
 * drlb control protocol (types only): drlbadm <-> drlbd over a Unix stream
 * socket (default /run/drlb/drlbd.sock, or DRLB_SOCKET / --socket).
 *
 * It mirrors what ipvsadm asks of the kernel through libipvs: drlbadm parses
 * ipvsadm's syntax itself and sends one request; drlbd applies it and answers
 * with a status, an ipvsadm error text when it failed, and for the GET_*
 * requests a table of entries.  drlbadm formats every listing, as ipvsadm
 * does.
 *
 * Framing: every message starts with struct drlb_ctl_hdr; `len` counts the
 * bytes that follow the header.  All integers are in host byte order (both
 * ends are on the same machine); addresses are in network order.
 */
#ifndef DRLB_CTL_T_H
#define DRLB_CTL_T_H

#include <stdint.h>
#include "drlb/svc-t.h"

#define DRLB_CTL_MAGIC		0x44524c42u	/* "DRLB" */
#define DRLB_CTL_VERSION	1
#define DRLB_SOCKET_DEFAULT	"/run/drlb/drlbd.sock"
#define DRLB_CTL_MAX_REPLY	(64u << 20)	/* sanity bound on a reply */

enum drlb_ctl_op {
	DRLB_CTL_FLUSH = 1,		/* -C */
	DRLB_CTL_ADD_SVC,		/* -A */
	DRLB_CTL_EDIT_SVC,		/* -E */
	DRLB_CTL_DEL_SVC,		/* -D */
	DRLB_CTL_ADD_DEST,		/* -a */
	DRLB_CTL_EDIT_DEST,		/* -e */
	DRLB_CTL_DEL_DEST,		/* -d */
	DRLB_CTL_ZERO,			/* -Z [service]; svc.af == 0 means all */
	DRLB_CTL_SET_TIMEOUT,		/* --set */
	DRLB_CTL_GET_INFO,		/* reply: struct drlb_ctl_info */
	DRLB_CTL_GET_SERVICES,		/* reply: drlb_ctl_svc_entry + dests, see below */
	DRLB_CTL_GET_TIMEOUT,		/* reply: struct drlb_timeouts */
	DRLB_CTL_GET_CONNS,		/* reply: n x struct drlb_ctl_conn_entry */
	DRLB_CTL_GET_COUNTERS,		/* reply: text, one "name value" per line:
					   the daemon's frame and drop counters */
	DRLB_CTL_GET_METRICS,		/* reply: text, Prometheus exposition format */
	DRLB_CTL_TRACE,			/* reply: status, then a stream of text lines
					   until the client closes.  Filter: svc.af 0
					   or a service (port 0: any port of the VIP);
					   dest.af 0 or a client address */
	DRLB_CTL_START_DAEMON,		/* --start-daemon: the request body is a
					   struct drlb_ctl_daemon (zero-padded to
					   sizeof(struct drlb_ctl_req)) */
	DRLB_CTL_STOP_DAEMON,		/* --stop-daemon: the same, only .state */
	DRLB_CTL_GET_DAEMON,		/* -L --daemon; reply: 2 x struct
					   drlb_ctl_daemon, master then backup,
					   .state 0 when that one is not running */
	DRLB_CTL_SET_ARP,		/* drlbadm --arp on|off: the body is a
					   struct drlb_ctl_arp (zero-padded) */
	DRLB_CTL_GET_COUNTERS_JSON,	/* reply: the counters as one JSON
					   document (docs/json.md) */
	DRLB_CTL_GET_ANNOUNCE,		/* drlbadm --announce; reply: struct
					   drlb_ctl_announce, then its nvips x
					   struct drlb_ctl_announce_vip */
	DRLB_CTL_SET_DRAIN,		/* drlbadm --drain on|off: the body is a
					   struct drlb_ctl_drain (zero-padded) */
	DRLB_CTL_OP_MAX
};

struct drlb_ctl_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t op;			/* enum drlb_ctl_op in requests, echoed in replies */
	int32_t  status;		/* replies: 0, or a positive errno (EEXIST, ESRCH, ...) */
	uint32_t len;			/* bytes after this header */
};
_Static_assert(sizeof(struct drlb_ctl_hdr) == 16, "drlb_ctl_hdr layout");

/*
 * Request body (for every op; unused parts zero).  For DEL_SVC/EDIT/DEST ops
 * `svc` identifies the service by (af, protocol, addr, port).
 */
struct drlb_ctl_req {
	struct drlb_svc_conf  svc;
	struct drlb_dest_conf dest;
	struct drlb_timeouts  timeouts;	/* SET_TIMEOUT: 0 = leave as is */
};
_Static_assert(sizeof(struct drlb_ctl_req) == 120, "drlb_ctl_req layout");

/* A failed request's reply body: the ipvsadm/libipvs message, NUL-terminated
 * (e.g. "Service already exists"). */
#define DRLB_CTL_ERRMSG_MAX 256

struct drlb_ctl_info {
	uint32_t version;		/* 0x010201 -> "1.2.1" as IPVS prints it */
	uint32_t size;			/* connection hash buckets ("size=4096") */
	uint32_t num_services;
	uint32_t conn_count;		/* connections in the table now */
	uint32_t conn_max;		/* hard bound of the table */
	uint32_t pad;
};

/*
 * GET_SERVICES reply body: for each service, one drlb_ctl_svc_entry followed
 * by its num_dests drlb_ctl_dest_entry records.
 */
struct drlb_ctl_svc_entry {
	struct drlb_svc_conf conf;
	uint32_t num_dests;
	struct drlb_stats stats;
	struct drlb_rates rates;
};

#define DRLB_MAC_NONE     0	/* not yet resolved */
#define DRLB_MAC_RESOLVED 1
#define DRLB_MAC_FAILED   2	/* no ARP answer: not scheduled */

struct drlb_ctl_dest_entry {
	struct drlb_dest_conf conf;
	uint32_t activeconns;
	uint32_t inactconns;
	uint32_t persistconns;
	uint8_t  mac[6];
	uint8_t  mac_state;		/* DRLB_MAC_* */
	uint8_t  overloaded;
	struct drlb_stats stats;
	struct drlb_rates rates;
};

/* GET_CONNS reply body: n entries (the `-c` listing) */
struct drlb_ctl_conn_entry {
	uint16_t af;
	uint16_t protocol;
	union drlb_inaddr caddr, vaddr, daddr;
	uint16_t cport, vport, dport;
	uint16_t state;			/* IP_VS_TCP_S_* numbering; UDP uses 0 */
	uint32_t expires_ms;		/* time left */
	uint32_t flags;
};

/*
 * The connection-synchronisation daemon (ipvsadm --start-daemon), as
 * IPVS's struct ip_vs_daemon_user: what was given, 0 for "not given"
 * (the defaults: group 224.0.0.81, port 8848, TTL 1, maxlen from the MTU).
 */
#define DRLB_DAEMON_MASTER	0x0001	/* IP_VS_STATE_MASTER */
#define DRLB_DAEMON_BACKUP	0x0002	/* IP_VS_STATE_BACKUP */
#define DRLB_IFNAMSIZ		16

struct drlb_ctl_daemon {
	uint32_t state;			/* DRLB_DAEMON_MASTER or _BACKUP */
	char     mcast_ifn[DRLB_IFNAMSIZ];
	uint32_t syncid;		/* 0..255 */
	uint16_t sync_maxlen;
	uint16_t mcast_port;
	uint8_t  mcast_ttl;
	uint8_t  pad0;
	uint16_t mcast_af;		/* AF_INET when a group was given */
	union drlb_inaddr mcast_group;
};
_Static_assert(sizeof(struct drlb_ctl_daemon) == 48, "drlb_ctl_daemon layout");
_Static_assert(sizeof(struct drlb_ctl_daemon) <= sizeof(struct drlb_ctl_req),
    "a daemon request fits a request body");

/* SET_ARP: own the VIPs at L2 (answer ARP, announce them now) or not */
struct drlb_ctl_arp {
	uint32_t on;
	uint32_t pad;
};

/*
 * VIP announcement (drlbd --announce-table): which VIPs drlbd routes
 * through its tun device in its routing table, for a routing daemon to
 * announce.  table 0: drlbd announces nothing.
 */
struct drlb_ctl_announce {
	uint32_t table;
	uint32_t draining;		/* drlbadm --drain on: every VIP withdrawn */
	uint32_t nvips;
	uint32_t failed;		/* the last change did not take (retried) */
	char     device[DRLB_IFNAMSIZ];
};

/* One VIP (every VIP of the rules, announced or not). */
struct drlb_ctl_announce_vip {
	uint16_t af;
	uint8_t  announced;		/* its route is in the table */
	uint8_t  pad;
	uint32_t services;		/* with this VIP */
	uint32_t dests;			/* their real servers */
	uint32_t usable;		/* of them: weight > 0 and MAC known */
	union drlb_inaddr addr;
};
_Static_assert(sizeof(struct drlb_ctl_announce_vip) == 32,
    "drlb_ctl_announce_vip layout");

/* SET_DRAIN */
struct drlb_ctl_drain {
	uint32_t on;
	uint32_t pad;
};

#endif
