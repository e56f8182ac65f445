/*
 * Internet checksums (RFC 1071) for finishing what the kernel left to
 * offload.  On veth, and for any locally sent traffic, the sender's kernel
 * leaves the TCP/UDP checksum unfinished (CHECKSUM_PARTIAL): the checksum
 * field holds only the pseudo-header sum and the NIC was meant to do the
 * rest.  A frame we re-inject through a packet socket carries no such promise
 * to the next hop, so we finish it first.
 */
#ifndef DRLBD_CSUM_H
#define DRLBD_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* One's-complement sum of buf added to sum (not folded). */
uint64_t csum_add(const void *buf, size_t len, uint64_t sum);
/* Fold to 16 bits and complement: the value to store in a checksum field. */
uint16_t csum_fold(uint64_t sum);

/*
 * Finish a CHECKSUM_PARTIAL checksum the way the kernel's skb_checksum_help
 * does: sum everything from `start` to the end of the packet (the field at
 * start + offset already holds the pseudo-header sum) and store the folded
 * result there.  Offsets are relative to pkt.  Returns -1 if they do not fit.
 */
int csum_finish_partial(uint8_t *pkt, uint32_t len, uint32_t start,
    uint32_t offset);

/*
 * Recompute the TCP or UDP checksum of an IPv4 packet from scratch (pseudo
 * header + L4 header + payload), for backends that do not say where the
 * partial checksum starts.  ip points at the IPv4 header; len is the IP
 * packet's length.  Returns -1 on a malformed packet.
 */
int csum_ipv4_l4(uint8_t *ip, uint32_t len);

/*
 * The same for IPv6 (pseudo header of RFC 8200 section 8.1): ip6 points at
 * the IPv6 header, len is the packet's length (40 + payload length), l4off
 * where the TCP/UDP header starts (after any extension headers) and proto
 * which it is.  Returns -1 on a malformed packet.
 */
int csum_ipv6_l4(uint8_t *ip6, uint32_t len, uint32_t l4off, uint8_t proto);

/*
 * Does this TCP/UDP packet's checksum field hold what a sender's kernel
 * leaves when it hands the checksum to the NIC (the pseudo-header sum, not
 * complemented)?  For backends that cannot say (libpcap): such a packet
 * gets its checksum finished, and any other is left exactly as it came --
 * a bad checksum stays bad for the real server to see.  A finished,
 * correct checksum that happens to equal that value (1 in 65536) is
 * recomputed to the same value, so nothing is lost by the guess.
 */
int csum_l4_looks_partial(const uint8_t *ip, uint32_t len, uint32_t l4off,
    uint8_t proto);

#endif
