/*
 * Checksum completion: what the kernel leaves unfinished on veth must come
 * out exactly as a receiver verifies it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "check.h"

/* An independent reference: RFC 1071 word by word, big-endian words. */
static uint16_t
ref_sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	while (len > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Does the receiver accept it?  pseudo header + segment sums to 0xffff. */
static int
verify_l4(const uint8_t *ip, uint32_t len)
{
	uint32_t ihl = (ip[0] & 0xf) * 4, l4 = len - ihl;
	uint8_t ph[12];

	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = ip[9];
	ph[10] = (uint8_t)(l4 >> 8);
	ph[11] = (uint8_t)l4;
	return ref_sum16(ip + ihl, l4, ref_sum16(ph, 12, 0)) == 0xffff;
}

static uint32_t
mkpkt(uint8_t *ip, uint8_t proto, uint32_t payload, unsigned seed)
{
	uint32_t l4hdr = proto == IPPROTO_TCP ? 20 : 8;
	uint32_t len = 20 + l4hdr + payload;

	memset(ip, 0, len);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(len >> 8);
	ip[3] = (uint8_t)len;
	ip[8] = 64;
	ip[9] = proto;
	ip[12] = 198; ip[13] = 18; ip[14] = 0; ip[15] = 100;	/* client */
	ip[16] = 198; ip[17] = 18; ip[18] = 0; ip[19] = 1;	/* VIP */
	ip[20] = 0xc3; ip[21] = 0x50;				/* 50000 */
	ip[22] = 0; ip[23] = 80;
	if (proto == IPPROTO_TCP) {
		ip[32] = 5 << 4;
		ip[33] = 0x18;
	} else {
		ip[24] = (uint8_t)((8 + payload) >> 8);
		ip[25] = (uint8_t)(8 + payload);
	}
	srand(seed);
	for (uint32_t i = 0; i < payload; i++)
		ip[20 + l4hdr + i] = (uint8_t)rand();
	return len;
}

/* What the sender's kernel leaves in the field under CHECKSUM_PARTIAL:
 * the folded pseudo-header sum, not complemented. */
static void
make_partial(uint8_t *ip, uint32_t len, uint32_t off)
{
	uint32_t l4 = len - 20;
	uint8_t ph[12];
	uint16_t s;

	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = ip[9];
	ph[10] = (uint8_t)(l4 >> 8);
	ph[11] = (uint8_t)l4;
	s = ref_sum16(ph, 12, 0);
	ip[20 + off] = (uint8_t)(s >> 8);
	ip[21 + off] = (uint8_t)s;
}

int
main(void)
{
	static uint8_t frame[14 + 70000];
	uint8_t *ip = frame + 14;
	uint32_t sizes[] = { 0, 1, 2, 3, 17, 1000, 1461, 65000 };
	char what[128];

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (int p = 0; p < 2; p++) {
			uint8_t proto = p ? IPPROTO_UDP : IPPROTO_TCP;
			uint32_t off = p ? 6 : 16;
			uint32_t len = mkpkt(ip, proto, sizes[i], i + 1);

			snprintf(what, sizeof(what), "%s %u bytes payload: "
			    "recomputed checksum verifies", p ? "udp" : "tcp",
			    sizes[i]);
			ip[20 + off] = 0x12;	/* garbage to be replaced */
			CHECK_EQ(csum_ipv4_l4(ip, len), 0, "csum_ipv4_l4 accepts");
			CHECK(verify_l4(ip, len), what);

			snprintf(what, sizeof(what), "%s %u bytes payload: "
			    "finished partial checksum verifies",
			    p ? "udp" : "tcp", sizes[i]);
			memset(ip + 20 + off, 0, 2);
			make_partial(ip, len, off);
			CHECK(!verify_l4(ip, len) || sizes[i] == 0,
			    "a partial checksum does not verify before finishing");
			CHECK_EQ(csum_finish_partial(frame, 14 + len, 14 + 20,
			    off), 0, "csum_finish_partial accepts");
			CHECK(verify_l4(ip, len), what);
		}
	}
	/* malformed input is refused, not trusted */
	CHECK_EQ(csum_finish_partial(frame, 40, 40, 16), -1,
	    "csum_start beyond the packet is refused");
	CHECK_EQ(csum_finish_partial(frame, 40, 30, 16), -1,
	    "checksum field beyond the packet is refused");
	ip[0] = 0x46;
	CHECK_EQ(csum_ipv4_l4(ip, 22), -1, "IHL beyond the packet is refused");
	ip[0] = 0x45;
	ip[9] = IPPROTO_ICMP;
	CHECK_EQ(csum_ipv4_l4(ip, 60), -1, "not TCP/UDP is refused");
	return CHECK_DONE();
}
