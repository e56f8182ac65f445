/*
 * drlb — plain-data types shared by drlbd and drlbadm: what a service and a
 * real server *are* (their configuration, as ipvsadm sets it) and what is
 * counted about them.  These cross the control socket unchanged, so they hold
 * no pointers and have fixed layouts (checked with _Static_assert).
 *
 * Runtime structs in drlbd embed these (relayd's `struct host { struct
 * host_config conf; ... }`).
 */
#ifndef DRLB_SVC_T_H
#define DRLB_SVC_T_H

#include <stdint.h>
#include <netinet/in.h>

/* An address of either family; IPv4 uses the first 4 bytes (network order). */
union drlb_inaddr {
	struct in_addr  in;
	struct in6_addr in6;
	uint8_t         b[16];
};

#define DRLB_SCHED_NAME_MAX 16		/* IP_VS_SCHEDNAME_MAXLEN */
#define DRLB_PE_NAME_MAX    16

/* Service flags (IP_VS_SVC_F_*, same values as the kernel's) */
#define DRLB_SVC_F_PERSISTENT	0x0001	/* -p */
#define DRLB_SVC_F_HASHED	0x0002
#define DRLB_SVC_F_ONEPACKET	0x0004	/* -o */
#define DRLB_SVC_F_SCHED1	0x0008	/* sh-fallback / mh-fallback */
#define DRLB_SVC_F_SCHED2	0x0010	/* sh-port / mh-port */
#define DRLB_SVC_F_SCHED3	0x0020

/* Forwarding methods (IP_VS_CONN_F_FWD_MASK values); drlb forwards DR only. */
#define DRLB_FWD_MASQ		0x0000
#define DRLB_FWD_LOCALNODE	0x0001
#define DRLB_FWD_TUNNEL		0x0002
#define DRLB_FWD_DROUTE		0x0003
#define DRLB_FWD_BYPASS		0x0004

#define DRLB_PERSIST_DEFAULT	360	/* ipvsadm's default -p (man page says 300) */

/* What `-A/-E -t|-u VIP:PORT -s SCHED [-p T] [-M MASK] [-o] [-b FLAGS]` sets. */
struct drlb_svc_conf {
	uint16_t af;			/* AF_INET (AF_INET6 later) */
	uint16_t protocol;		/* IPPROTO_TCP or IPPROTO_UDP */
	union drlb_inaddr addr;		/* the VIP */
	uint16_t port;			/* host byte order */
	uint16_t pad0;
	uint32_t fwmark;		/* unused: no netfilter marks in userspace */
	char     sched_name[DRLB_SCHED_NAME_MAX];
	uint32_t flags;			/* DRLB_SVC_F_* */
	uint32_t timeout;		/* persistence timeout, seconds */
	uint32_t netmask;		/* -M, network order (IPv4) or prefix len (IPv6) */
	char     pe_name[DRLB_PE_NAME_MAX];
};
_Static_assert(sizeof(struct drlb_svc_conf) == 72, "drlb_svc_conf layout");

/* What `-a/-e ... -r RIP[:PORT] -g -w W [-x U] [-y L]` sets. */
struct drlb_dest_conf {
	uint16_t af;
	uint16_t port;			/* host order; DR forces it to the VIP's port */
	union drlb_inaddr addr;		/* the RIP */
	uint32_t conn_flags;		/* DRLB_FWD_* (always DROUTE in drlb) */
	int32_t  weight;		/* 0..65535 */
	uint32_t u_threshold;		/* -x, 0 = unset */
	uint32_t l_threshold;		/* -y, 0 = unset */
};
_Static_assert(sizeof(struct drlb_dest_conf) == 36, "drlb_dest_conf layout");

/* Counters as IPVS keeps them (struct ip_vs_kstats). */
struct drlb_stats {
	uint64_t conns;
	uint64_t inpkts;
	uint64_t outpkts;		/* stays 0 in DR: replies bypass us */
	uint64_t inbytes;
	uint64_t outbytes;		/* stays 0 in DR */
};
_Static_assert(sizeof(struct drlb_stats) == 40, "drlb_stats layout");

/* Rate estimates (struct ip_vs_stats_user's rate fields). */
struct drlb_rates {
	uint64_t cps;
	uint64_t inpps;
	uint64_t outpps;
	uint64_t inbps;
	uint64_t outbps;
};
_Static_assert(sizeof(struct drlb_rates) == 40, "drlb_rates layout");

/* --set tcp tcpfin udp / --timeout, in seconds */
struct drlb_timeouts {
	uint32_t tcp;			/* ESTABLISHED, default 900 */
	uint32_t tcp_fin;		/* FIN_WAIT, default 120 */
	uint32_t udp;			/* default 300 */
};

#endif
