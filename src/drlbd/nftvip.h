/*
 * Keeping the VIPs' frames from the director's own kernel, for hosts whose
 * kernel would otherwise act on them: one that routes (ip_forward=1: it
 * would route each VIP frame a second time, after drlbd forwarded it) or
 * that holds a VIP itself (its TCP stack would answer with RST).
 *
 * An nftables table of family netdev ("drlbd_IF", after drlbd's first
 * interface) drops frames to the VIPs in each interface's ingress hook.  Packet taps (drlbd's
 * AF_PACKET sockets) see a frame before that hook, so drlbd still captures
 * every one while the kernel's IP layer gets none.  The VIPs are two named
 * sets, replaced whole in one transaction when they change.
 *
 * Changing nftables needs CAP_NET_ADMIN at every request (the netlink
 * socket's opener and its sender both), so this runs in drlbd's privileged
 * helper (priv.c), never in the daemon itself.  Library-like: nothing here
 * logs.
 */
#ifndef DRLBD_NFTVIP_H
#define DRLBD_NFTVIP_H

#include <stddef.h>
#include <stdint.h>

struct nftvip;

struct nftvip_addr {
	uint16_t af;			/* AF_INET or AF_INET6 */
	uint8_t addr[16];		/* IPv4: the first 4 bytes */
};

#define NFTVIP_IFS_MAX	4

/* The netlink socket for the table of interfaces ifnames[0..nif), named
 * after the first; NULL with err. */
struct nftvip *nftvip_open(const char *const *ifnames, unsigned nif,
    char *err, size_t errlen);
/* The table's name, "drlbd_IF". */
const char *nftvip_table(const struct nftvip *n);
/* Create the table (replacing one left behind), its sets empty: 0 or -1
 * with err. */
int nftvip_install(struct nftvip *n, char *err, size_t errlen);
/* The VIPs to drop are exactly v[0..nv): 0 or -1 with err (unchanged). */
int nftvip_set(struct nftvip *n, const struct nftvip_addr *v, size_t nv,
    char *err, size_t errlen);
/* Close; remove: delete the table first. */
void nftvip_close(struct nftvip *n, int remove);

#endif
