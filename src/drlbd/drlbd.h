/*
 * The daemon's state, as one struct that main.c owns and ctl.c reads.
 */
#ifndef DRLBD_DRLBD_H
#define DRLBD_DRLBD_H

#include <stdint.h>
#include <sys/types.h>

#include "arp.h"
#include "conn.h"
#include "datapath.h"
#include "io.h"
#include "svc.h"

struct ctl_server;

struct drlbd {
	/* options */
	const char *ifname;
	const char *socket_path;
	const char *config;
	const char *user;
	int foreground;
	int verbose;
	int own_vips;			/* answer ARP for VIPs (not --no-arp) */
	int sloppy_tcp;			/* --sloppy-tcp */
	uint32_t max_conns;
	/* state */
	unsigned nworkers;		/* --workers; 1: no threads */
	struct svc_table svcs;
	struct conn_set conns;		/* one table per worker (conn.h) */
	/* without workers: the one data path; with workers: the main
	 * thread's, for ARP and ND only (conns NULL) */
	struct dp dp;
	const struct io_ops *io_ops;
	struct io *io;			/* with workers: ARP and ND only */
	struct workers *workers;
	struct arp *arp;
	struct ctl_server *ctl;
	int filter_dirty;		/* the VIP set changed: recompile */
	uint64_t start_ms;
};

uint64_t drlbd_now_ms(void);
/* NULL when this VIP (AF_INET or AF_INET6) is not held by this host's
 * kernel; else a message saying which interface and what to do. */
const char *drlbd_kernel_vip_check(struct drlbd *d, uint16_t af,
    const union drlb_inaddr *vip);
/* Text of all counters ("name value\n" lines); malloc'ed. */
char *drlbd_counters_text(struct drlbd *d, uint32_t *len);
/* The metrics text (GET_METRICS, --metrics-file, --metrics-listen). */
char *drlbd_metrics_text(struct drlbd *d, uint32_t *len);

struct ndp;
/* the IPv6 neighbour-discovery module (main.c owns it) */
struct ndp *drlbd_ndp(void);

/* ctl.c */
struct ctl_server *ctl_listen(const char *path, char *err, size_t errlen);
void ctl_close(struct ctl_server *c);
/* chgrp the socket: that group may read (listings, counters, trace) */
int ctl_set_group(struct ctl_server *c, gid_t gid);
/* fill pfd with the fds to poll, return how many (<= max) */
int ctl_pollfds(struct ctl_server *c, struct pollfd *pfd, int max);
/* serve whatever poll reported on those fds */
void ctl_serve(struct ctl_server *c, const struct pollfd *pfd, int n,
    struct drlbd *d);

#endif
