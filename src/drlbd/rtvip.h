/*
 * The routes that announce VIPs to a routing daemon: one host route per
 * announced VIP (VIP/32, VIP/128) in a kernel routing table of drlbd's own,
 * through drlbd's tun device.  BIRD or FRR imports that table and announces
 * each route by BGP; nothing else reads the table (no rule points at it),
 * so the kernel's own forwarding is untouched.
 *
 * The device is non-persistent: the kernel deletes it when drlbd's last
 * descriptor of it closes, and every route through it with it, so a drlbd
 * that ends in any way (SIGKILL too) withdraws every VIP.
 *
 * Changing routes needs CAP_NET_ADMIN at every request, so this runs in
 * drlbd's privileged helper (priv.c).  Library-like: nothing here logs.
 */
#ifndef DRLBD_RTVIP_H
#define DRLBD_RTVIP_H

#include <stddef.h>
#include <stdint.h>

struct rtvip;

/* The rtnetlink socket for routes in table through ifindex; NULL with
 * err. */
struct rtvip *rtvip_open(uint32_t table, int ifindex, char *err,
    size_t errlen);
/* Add (add 1) or remove the route to addr (af AF_INET: 4 bytes, AF_INET6:
 * 16): 0, or -1 with err.  Adding one that is there, or removing one that
 * is not, succeeds. */
int rtvip_route(struct rtvip *r, int add, uint16_t af, const uint8_t *addr,
    char *err, size_t errlen);
void rtvip_close(struct rtvip *r);

#endif
