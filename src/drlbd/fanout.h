/*
 * Which worker owns a flow.
 *
 * With --workers N the kernel spreads captured frames over N AF_PACKET
 * sockets (PACKET_FANOUT).  Each worker keeps its own connection table, so
 * every frame of a flow must reach the same worker, and whatever the
 * daemon itself puts in a table (a connection synced from a master, one
 * restored from --state-file) must go to the worker that will see the
 * flow's frames.  Both sides therefore use the same function of the
 * *client address alone*:
 *
 *   - in the kernel, a classic-BPF fanout program (PACKET_FANOUT_CBPF,
 *     built by fanout_prog()): it reads the client address of the frame --
 *     the IPv4 source, the XOR of the IPv6 source's four words, or, for an
 *     ICMP error about a packet a real server sent to the client, the
 *     inner header's destination -- multiplies by 2^32/phi and keeps the
 *     upper 16 bits; the kernel takes that modulo N;
 *   - in the daemon, fanout_worker() below.
 *
 * Hashing the client alone (not its port) keeps all of one client's
 * connections on one worker, as persistence needs.
 * tests/unit/test_fanout.c runs the BPF program through libpcap's
 * interpreter and checks that both agree.
 */
#ifndef DRLBD_FANOUT_H
#define DRLBD_FANOUT_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <linux/filter.h>

#include "drlb/svc-t.h"

#define FANOUT_MULT	0x9e3779b1u	/* 2^32 / golden ratio */
#define FANOUT_MAX	16		/* --workers at most */

static inline uint32_t
fanout_hash(uint16_t af, const union drlb_inaddr *client)
{
	uint32_t w[4], a;

	memcpy(w, client->b, 16);
	a = ntohl(w[0]);
	if (af == AF_INET6)
		a ^= ntohl(w[1]) ^ ntohl(w[2]) ^ ntohl(w[3]);
	return (a * FANOUT_MULT) >> 16;
}

/* The worker (0 .. n-1) whose socket the kernel gives this client's frames. */
static inline unsigned
fanout_worker(uint16_t af, const union drlb_inaddr *client, unsigned n)
{
	return n <= 1 ? 0 : fanout_hash(af, client) % n;
}

/* The fanout program (static storage; do not free). */
void fanout_prog(struct sock_fprog *prog);

#endif
