/*
 * The kernel-side capture filter: only ARP, IPv6 neighbor discovery and
 * frames for our VIPs (IPv4 and IPv6) reach the ring, so the director's other traffic costs drlbd nothing.  Compiled from a
 * pcap expression with libpcap, attached as classic BPF.
 */
#ifndef DRLBD_FILTER_H
#define DRLBD_FILTER_H

#include <stddef.h>
#include <linux/filter.h>

#include "svc.h"

/*
 * Which frames a socket wants: all of them (one socket does everything),
 * or, with workers, ARP and ND for the main thread's socket and the VIPs'
 * traffic for the workers' (a worker never sees ARP, the main thread never
 * a VIP's frame).
 */
enum filter_part {
	FILTER_ALL,
	FILTER_NEIGH,
	FILTER_VIPS,
};

/* The expression for the current VIP set (for logs and tests); "" for the
 * VIPs' part when there is no VIP: then nothing passes. */
int filter_expr(struct svc_table *t, enum filter_part part, char *buf,
    size_t len);
/* Compile it; prog->filter is malloc'ed, free with filter_free. */
int filter_build(struct svc_table *t, enum filter_part part,
    struct sock_fprog *prog, char *err, size_t errlen);
void filter_free(struct sock_fprog *prog);

#endif
