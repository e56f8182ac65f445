/*
 * drlbd's privileged helper.  drlbd drops every capability once its sockets
 * are open; what must still change kernel state as the rules change -- the
 * nftables table that keeps VIP frames from a routing kernel (nftvip.h) --
 * needs CAP_NET_ADMIN at every change.  So before the drop drlbd forks this
 * helper (OpenBSD's privilege separation): it keeps CAP_NET_ADMIN alone, as
 * the same unprivileged user, closes everything else, and does one thing on
 * request over a socketpair: set the VIPs whose frames its table drops.
 * When drlbd ends, however it ends, the helper sees the socket close,
 * removes its table and exits.
 *
 * The table is installed on the first request that needs it (the kernel
 * routes, or holds a VIP); until then the helper only waits.
 */
#ifndef DRLBD_PRIV_H
#define DRLBD_PRIV_H

#include <stddef.h>
#include <sys/types.h>

struct priv;
struct svc_table;

/* Fork the helper for the interfaces ifnames[0..nif) (as root, before
 * privileges are dropped), which will run as uid/gid with CAP_NET_ADMIN
 * only; NULL with err when the host cannot (no nftables). */
struct priv *priv_start(const char *const *ifnames, unsigned nif, uid_t uid,
    gid_t gid, char *err, size_t errlen);
/* Keep every VIP of svcs from the kernel's IP layer from now on (installs
 * the table the first time): 0 or -1 with err. */
int priv_drop_vips(struct priv *p, struct svc_table *svcs, char *err,
    size_t errlen);
/* Is the table installed? */
int priv_dropping(const struct priv *p);
/* The table's name, "drlbd_IF" (the first interface). */
const char *priv_table(const struct priv *p);
/* Let the helper go (it removes its table) and wait for it. */
void priv_stop(struct priv *p);

#endif
