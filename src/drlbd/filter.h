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

/* The expression for the current VIP set (for logs and tests). */
int filter_expr(struct svc_table *t, char *buf, size_t len);
/* Compile it; prog->filter is malloc'ed, free with filter_free. */
int filter_build(struct svc_table *t, struct sock_fprog *prog, char *err,
    size_t errlen);
void filter_free(struct sock_fprog *prog);

#endif
