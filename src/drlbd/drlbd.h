/*
 * The daemon's context: every option and every handle of one drlbd, in one
 * struct that main.c fills (acquire), hands to the modules that serve the
 * daemon as a whole (control.c, rules.c, reload.c, health.c, stats.c) and
 * tears down.  Modules below them (tables, schedulers, the data path, ARP
 * and ND) never see it: they get what they need as parameters.
 *
 * Handles are pointers to opaque structs, so this header includes only the
 * types it embeds.
 */
#ifndef DRLBD_DRLBD_H
#define DRLBD_DRLBD_H

#include <stdint.h>
#include <sys/types.h>

#include "drlb/ctl-t.h"
#include "conn.h"
#include "datapath.h"
#include "io.h"
#include "svc.h"
#include "worker.h"

struct announce;
struct arp;
struct control;
struct est;
struct health;
struct loop;
struct metrics_http;
struct ndp;
struct neigh_static;
struct priv;
struct sync;

/* What the command line says. */
struct drlbd_opts {
	const char *ifname;		/* the first --interface (link 0) */
	const char *ifnames[DP_LINKS_MAX];	/* every --interface, in order */
	unsigned nlinks;
	const char *socket_path;
	const char *socket_group;
	const char *config;		/* --config (ipvsadm -S format) */
	const char *keepalived_config;	/* --keepalived-config */
	const char *user;
	const char *state_file;
	const char *metrics_file;
	const char *metrics_listen;
	int foreground;
	int verbose;
	int sloppy_tcp;
	uint32_t max_conns;
	unsigned nworkers;		/* 1: no threads */
	const struct io_ops *io_ops;
	struct io_params iop[DP_LINKS_MAX];	/* per link: --qdisc-bypass,
						   --ring-size */
	struct drlb_ctl_daemon boot_sync;	/* --sync ... */
	int mac_flap_hold;		/* --mac-flap hold */
	struct neigh_static *static_macs;	/* --static-mac, each */
	size_t nstatic_macs;
	uint32_t announce_table;	/* --announce-table, or 0 */
	uint32_t batch_wait_us;		/* --batch-wait (worker.h: rx_pace) */
};

struct drlbd {
	struct drlbd_opts o;
	int own_vips;			/* answer ARP/ND for the VIPs */
	uid_t uid;			/* who drlbd becomes (--user) */
	gid_t gid;
	uint64_t start_ms;		/* clock_ms() at start: dp.now's base */
	/* the rules and the connections */
	struct svc_table svcs;
	struct conn_set conns;		/* one table per worker */
	struct est *est;		/* rate estimators */
	/* the data path: without workers the one data path, with workers the
	 * main thread's, for ARP and ND only (conns NULL) */
	struct dp dp;
	struct io_set io;		/* one per link; with workers ARP and
					   ND only */
	struct workers workers;
	struct rx_pace pace;		/* the main thread's, --workers 1 */
	int filter_dirty;		/* the VIP set changed: recompile */
	/* L2: VIP ownership, real servers' MACs */
	struct arp *arp;
	struct ndp *ndp;
	/* around it */
	struct loop *loop;
	struct control *ctl;
	struct health *health;		/* --keepalived-config's checks */
	struct sync *sync;		/* connection synchronisation */
	struct metrics_http *metrics_http;
	struct priv *priv;		/* privileged helper (nftables), or NULL */
	struct announce *announce;	/* --announce-table's tun device, or NULL */
	int state_fd;			/* --state-file, or -1 */
	int lock_fd[DP_LINKS_MAX];	/* one drlbd per interface (instance.h) */
};

#endif
