/*
 * drlbd's privileged helper.  drlbd drops every capability once its sockets
 * are open; what must still change kernel state as the rules change -- the
 * nftables table that keeps VIP frames from a routing kernel (nftvip.h) --
 * and the routes that announce VIPs to a routing daemon (rtvip.h) -- needs
 * CAP_NET_ADMIN at every change.  So before the drop drlbd forks this
 * helper (OpenBSD's privilege separation): it keeps CAP_NET_ADMIN alone, as
 * the same unprivileged user, closes everything else, and does two things
 * on request over a socketpair: set the VIPs whose frames its nftables
 * table drops, and set the VIPs routed through drlbd's tun device in its
 * routing table (both fixed when the helper starts).  When drlbd ends,
 * however it ends, the helper sees the socket close, removes its routes
 * and its nftables table and exits; if it is killed too, the routes go
 * with the tun device, whose descriptors only the two of them hold.
 *
 * The nftables table is installed on the first request that needs it (the
 * kernel routes, or holds a VIP); until then the helper only waits.
 */
#ifndef DRLBD_PRIV_H
#define DRLBD_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct nftvip_addr;
struct priv;
struct svc_table;

/* Fork the helper for the interfaces ifnames[0..nif) (as root, before
 * privileges are dropped), which will run as uid/gid with CAP_NET_ADMIN
 * only; with table > 0 it may also route VIPs through ifindex (the tun
 * device, whose descriptor tun_fd it keeps until it has removed those
 * routes) in that routing table.  NULL with err when the host cannot (no
 * nftables, and no table asked; with a table, no rtnetlink). */
struct priv *priv_start(const char *const *ifnames, unsigned nif, uid_t uid,
    gid_t gid, uint32_t table, int ifindex, int tun_fd, char *err,
    size_t errlen);
/* Keep every VIP of svcs from the kernel's IP layer from now on (installs
 * the table the first time): 0 or -1 with err. */
int priv_drop_vips(struct priv *p, struct svc_table *svcs, char *err,
    size_t errlen);
/* The VIPs routed in the table are exactly v[0..n) (nftvip.h's address
 * type) from now on: 0, or -1 with err (the helper's routes are then those
 * it could change: ask again). */
int priv_announce(struct priv *p, const struct nftvip_addr *v, size_t n,
    char *err, size_t errlen);
/* Is the table installed? */
int priv_dropping(const struct priv *p);
/* The table's name, "drlbd_IF" (the first interface). */
const char *priv_table(const struct priv *p);
/* Let the helper go (it removes its table) and wait for it. */
void priv_stop(struct priv *p);

#endif
