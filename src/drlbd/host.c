/* The host's fitness for DR; see host.h. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drlb/addr.h"
#include "host.h"

/* the prefix length of an interface address's netmask */
static int
prefix_len(const struct sockaddr *mask, uint16_t af)
{
	const uint8_t *m;
	int plen = 0;

	if (mask == NULL)
		return af == AF_INET6 ? 128 : 32;
	m = af == AF_INET6 ?
	    ((const struct sockaddr_in6 *)mask)->sin6_addr.s6_addr :
	    (const uint8_t *)&((const struct sockaddr_in *)mask)->sin_addr;
	for (size_t b = 0; b < drlb_addr_len(af); b++)
		plen += __builtin_popcount(m[b]);
	return plen;
}

enum host_vip
host_vip_check(uint16_t af, const union drlb_inaddr *vip, char *msg,
    size_t len)
{
	struct ifaddrs *ifa, *i;
	enum host_vip why = HOST_VIP_NOT_HELD;
	char a[INET6_ADDRSTRLEN];

	if (getifaddrs(&ifa) < 0)
		return HOST_VIP_NOT_HELD;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		const void *ia;
		int plen;

		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != af)
			continue;
		ia = af == AF_INET6 ?
		    (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr :
		    (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		if (memcmp(ia, vip->b, drlb_addr_len(af)) != 0)
			continue;
		plen = prefix_len(i->ifa_netmask, af);
		if (plen == 0)
			plen = af == AF_INET6 ? 128 : 32;
		drlb_addr_str(a, sizeof(a), af, vip);
		if (plen == (af == AF_INET6 ? 128 : 32)) {
			/* a host route: an alias put there for the VIP (the
			 * recipe's eth0:0), which drlbd replaces */
			why = HOST_VIP_ALIAS;
			snprintf(msg, len,
			    "VIP %s is an address of this host's kernel (on %s): "
			    "its TCP stack would answer the VIP's connections "
			    "(RST). drlbd owns the VIP at L2, without it: "
			    "ip %saddr del %s/%d dev %s", a, i->ifa_name,
			    af == AF_INET6 ? "-6 " : "", a, plen, i->ifa_name);
		} else {
			/* an address with a subnet: the host's own (its DIP),
			 * which it needs; the VIP must be another one */
			why = HOST_VIP_OWN;
			snprintf(msg, len,
			    "VIP %s is this host's own address (%s/%d on %s): "
			    "its TCP stack would answer the VIP's connections "
			    "(RST). A VIP is an address no kernel on the segment "
			    "holds but the real servers' (on lo): choose another "
			    "address for the VIP and keep %s as the director's",
			    a, a, plen, i->ifa_name, a);
		}
		break;
	}
	freeifaddrs(ifa);
	return why;
}

static int
read_sysctl_int(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * With IP forwarding on, the kernel would route each VIP frame a second
 * time (it is addressed to our MAC but not to one of our addresses), and the
 * real server would get every packet twice.
 */
int
host_forwarding_check(const char *ifname, char *msg, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/forwarding",
	    ifname);
	if (read_sysctl_int(path) == 1) {
		snprintf(msg, len, "IP forwarding is on for %s: the kernel "
		    "would route every VIP frame a second time, after drlbd "
		    "forwarded it. Turn it off: sysctl -w "
		    "net.ipv4.conf.%s.forwarding=0 (or net.ipv4.ip_forward=0)",
		    ifname, ifname);
		return -1;
	}
	/* IPv6 the same: with forwarding on, the kernel routes each IPv6
	 * VIP frame too (and acts as a router in neighbor discovery) */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/forwarding",
	    ifname);
	if (read_sysctl_int(path) == 1) {
		snprintf(msg, len, "IPv6 forwarding is on for %s: the kernel "
		    "would route every IPv6 VIP frame a second time, after "
		    "drlbd forwarded it. Turn it off: sysctl -w "
		    "net.ipv6.conf.%s.forwarding=0 (and "
		    "net.ipv6.conf.all.forwarding=0)", ifname, ifname);
		return -1;
	}
	return 0;
}

uint32_t
host_mtu(const char *ifname)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint32_t mtu = 1500;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		mtu = (uint32_t)ifr.ifr_mtu;
	if (fd >= 0)
		close(fd);
	return mtu;
}
