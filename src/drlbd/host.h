/*
 * Is this host fit to direct?  What the director's own kernel would do with
 * the frames drlbd forwards: a VIP among its addresses makes its TCP stack
 * answer the VIP's connections (RST); IP forwarding makes it route every
 * VIP frame a second time.  Library-like: the answers are messages for the
 * caller to print, nothing here logs.
 */
#ifndef DRLBD_HOST_H
#define DRLBD_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "drlb/svc-t.h"

/* Is vip (AF_INET or AF_INET6) an address of this host's kernel? */
enum host_vip {
	HOST_VIP_NOT_HELD = 0,
	HOST_VIP_ALIAS,		/* as a host route (/32, /128): put there for
				   the VIP, as the LVS recipe does on eth0:0 */
	HOST_VIP_OWN,		/* with a subnet: the host's own address */
};
/* What the kernel holds of vip; msg says which interface and what to do
 * (filled unless HOST_VIP_NOT_HELD). */
enum host_vip host_vip_check(uint16_t af, const union drlb_inaddr *vip,
    char *msg, size_t len);
/* 0, or -1 with msg saying which family forwards on ifname and how to turn
 * it off. */
int host_forwarding_check(const char *ifname, char *msg, size_t len);
/* ifname's MTU (1500 when it cannot be read). */
uint32_t host_mtu(const char *ifname);

#endif
