/*
 * VIP announcement through a routing daemon (BIRD, FRR), never a BGP
 * speaker of our own.  drlbd opens a tun device ("drlb-IF") before it
 * drops its privileges and keeps its descriptor; its privileged helper
 * routes each VIP to announce through that device in a routing table of
 * drlbd's own (rtvip.h), which the routing daemon imports and announces to
 * the routers.  A VIP is announced while at least one of its services has
 * a usable real server (weight > 0, MAC known; a down one's health checks
 * took it out or set weight 0) and drlbd is not drained.  When drlbd ends
 * in any way the kernel deletes the device and every route with it.
 */
#ifndef DRLBD_ANNOUNCE_H
#define DRLBD_ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>

struct announce;
struct priv;
struct svc_table;

/* Open the tun device for ifname (as root: "drlb-IF", up, deleted when
 * its descriptor closes); NULL with err. */
struct announce *announce_open(const char *ifname, uint32_t table, char *err,
    size_t errlen);
int announce_ifindex(const struct announce *a);
/* The device's descriptor (the helper keeps a copy: it withdraws before
 * the device goes). */
int announce_fd(const struct announce *a);
const char *announce_device(const struct announce *a);
uint32_t announce_table(const struct announce *a);

/* Bring the helper's routes to what svcs say now, if they changed since
 * the last time (or that one failed, at most once a second): 1 changed, 0
 * nothing to do, -1 with err (the failure is retried). */
int announce_sync(struct announce *a, struct svc_table *svcs,
    struct priv *p, uint64_t now_ms, char *err, size_t errlen);
/* Drain (withdraw every VIP, forwarding goes on) or not; announce_sync
 * does it. */
void announce_drain(struct announce *a, int on);

/* GET_ANNOUNCE's reply (ctl-t.h), malloc'ed; a NULL: table 0, no VIP. */
int announce_list(const struct announce *a, struct svc_table *svcs,
    void **body, uint32_t *len);

/* Close the device: every route through it goes with it. */
void announce_close(struct announce *a);

#endif
