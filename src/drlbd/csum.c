#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "csum.h"

uint64_t
csum_add(const void *buf, size_t len, uint64_t sum)
{
	const uint8_t *p = buf;
	uint32_t w;

	/* 32 bits at a time into a 64-bit accumulator: no carry is lost
	 * before 2^32 words, far beyond any packet. */
	while (len >= 4) {
		memcpy(&w, p, 4);
		sum += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t h;
		memcpy(&h, p, 2);
		sum += h;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* the odd byte is the high byte of a network-order word,
		 * zero-padded: in memory order that is just the byte followed
		 * by 0 */
		uint8_t last[2] = { *p, 0 };
		uint16_t h;
		memcpy(&h, last, 2);
		sum += h;
	}
	return sum;
}

uint16_t
csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int
csum_finish_partial(uint8_t *pkt, uint32_t len, uint32_t start, uint32_t offset)
{
	uint16_t c;

	if (start >= len || offset + 2 > len - start)
		return -1;
	c = csum_fold(csum_add(pkt + start, len - start, 0));
	/* a UDP checksum of 0 means "none": send 0xffff instead (RFC 768);
	 * harmless for TCP, where 0 and 0xffff are the same sum */
	if (c == 0)
		c = 0xffff;
	memcpy(pkt + start + offset, &c, 2);
	return 0;
}

int
csum_ipv4_l4(uint8_t *ip, uint32_t len)
{
	uint32_t ihl, l4len, off;
	uint64_t sum;
	uint16_t c, w;

	if (len < 20 || (ip[0] >> 4) != 4)
		return -1;
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len)
		return -1;
	l4len = len - ihl;
	switch (ip[9]) {
	case IPPROTO_TCP:
		if (l4len < 20)
			return -1;
		off = 16;
		break;
	case IPPROTO_UDP:
		if (l4len < 8)
			return -1;
		off = 6;
		break;
	default:
		return -1;
	}
	memset(ip + ihl + off, 0, 2);
	/* pseudo header: saddr, daddr, zero, protocol, L4 length */
	sum = csum_add(ip + 12, 8, 0);
	w = htons(ip[9]);
	sum += w;
	w = htons((uint16_t)l4len);
	sum += w;
	sum = csum_add(ip + ihl, l4len, sum);
	c = csum_fold(sum);
	if (c == 0 && ip[9] == IPPROTO_UDP)
		c = 0xffff;
	memcpy(ip + ihl + off, &c, 2);
	return 0;
}

int
csum_ipv6_l4(uint8_t *ip6, uint32_t len, uint32_t l4off, uint8_t proto)
{
	uint32_t l4len, off;
	uint64_t sum;
	uint32_t w;
	uint16_t c;

	if (len < 40 || (ip6[0] >> 4) != 6 || l4off < 40 || l4off > len)
		return -1;
	l4len = len - l4off;
	switch (proto) {
	case IPPROTO_TCP:
		if (l4len < 20)
			return -1;
		off = 16;
		break;
	case IPPROTO_UDP:
		if (l4len < 8)
			return -1;
		off = 6;
		break;
	default:
		return -1;
	}
	memset(ip6 + l4off + off, 0, 2);
	/* RFC 8200 8.1 pseudo header: source, destination, upper-layer
	 * packet length (32 bits), three zero bytes, next header */
	sum = csum_add(ip6 + 8, 32, 0);
	w = htonl(l4len);
	sum += w;
	w = htonl(proto);
	sum += w;
	sum = csum_add(ip6 + l4off, l4len, sum);
	c = csum_fold(sum);
	/* UDP over IPv6 must carry a checksum: 0 is sent as 0xffff */
	if (c == 0 && proto == IPPROTO_UDP)
		c = 0xffff;
	memcpy(ip6 + l4off + off, &c, 2);
	return 0;
}

int
csum_l4_looks_partial(const uint8_t *ip, uint32_t len, uint32_t l4off,
    uint8_t proto)
{
	uint64_t sum;
	uint32_t l4len, w;
	uint16_t field, pseudo;

	if (l4off > len)
		return 0;
	l4len = len - l4off;
	if ((proto == IPPROTO_TCP && l4len < 20) ||
	    (proto == IPPROTO_UDP && l4len < 8) ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return 0;
	if ((ip[0] >> 4) == 6) {
		sum = csum_add(ip + 8, 32, 0);
		w = htonl(l4len);
		sum += w;
		w = htonl(proto);
		sum += w;
	} else {
		uint16_t h;

		sum = csum_add(ip + 12, 8, 0);
		h = htons(proto);
		sum += h;
		h = htons((uint16_t)l4len);
		sum += h;
	}
	/* what the sender's kernel leaves: the pseudo-header sum, folded,
	 * not complemented (~csum_tcpudp_magic()) */
	pseudo = (uint16_t)~csum_fold(sum);
	memcpy(&field, ip + l4off + (proto == IPPROTO_TCP ? 16 : 6), 2);
	return field == pseudo || (pseudo == 0xffff && field == 0) ||
	    (pseudo == 0 && field == 0xffff);
}
