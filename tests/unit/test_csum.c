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
#include "expect.h"

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

/* ---- IPv6 (RFC 8200 8.1): the pseudo header is source, destination,
 * 32-bit upper-layer length, three zero bytes and the next header ---- */
static void
pseudo6(const uint8_t *ip6, uint32_t l4len, uint8_t proto, uint8_t ph[40])
{
	memcpy(ph, ip6 + 8, 32);
	ph[32] = (uint8_t)(l4len >> 24);
	ph[33] = (uint8_t)(l4len >> 16);
	ph[34] = (uint8_t)(l4len >> 8);
	ph[35] = (uint8_t)l4len;
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = proto;
}

static int
verify6_l4(const uint8_t *ip6, uint32_t len, uint32_t l4off, uint8_t proto)
{
	uint8_t ph[40];

	pseudo6(ip6, len - l4off, proto, ph);
	return ref_sum16(ip6 + l4off, len - l4off, ref_sum16(ph, 40, 0)) ==
	    0xffff;
}

/* client 2001:db8::100 -> VIP 2001:db8::1, with `ext` bytes of a
 * destination-options header before TCP/UDP when ext > 0 */
static uint32_t
mkpkt6(uint8_t *ip6, uint8_t proto, uint32_t ext, uint32_t payload,
    unsigned seed)
{
	uint32_t l4hdr = proto == IPPROTO_TCP ? 20 : 8;
	uint32_t l4off = 40 + ext, len = l4off + l4hdr + payload;
	uint8_t *l4 = ip6 + l4off;

	memset(ip6, 0, len);
	ip6[0] = 0x60;
	ip6[4] = (uint8_t)((len - 40) >> 8);
	ip6[5] = (uint8_t)(len - 40);
	ip6[6] = ext ? 60 : proto;
	ip6[7] = 64;
	ip6[8] = 0x20; ip6[9] = 0x01; ip6[10] = 0x0d; ip6[11] = 0xb8;
	ip6[22] = 0x01; ip6[23] = 0x00;				/* ::100 */
	ip6[24] = 0x20; ip6[25] = 0x01; ip6[26] = 0x0d; ip6[27] = 0xb8;
	ip6[39] = 0x01;						/* ::1 */
	if (ext) {
		ip6[40] = proto;
		ip6[41] = (uint8_t)(ext / 8 - 1);
		ip6[42] = 1;			/* PadN over the rest */
		ip6[43] = (uint8_t)(ext - 4);
	}
	l4[0] = 0xc3; l4[1] = 0x50;
	l4[2] = 0; l4[3] = 80;
	if (proto == IPPROTO_TCP) {
		l4[12] = 5 << 4;
		l4[13] = 0x18;
	} else {
		l4[4] = (uint8_t)((8 + payload) >> 8);
		l4[5] = (uint8_t)(8 + payload);
	}
	srand(seed);
	for (uint32_t i = 0; i < payload; i++)
		l4[l4hdr + i] = (uint8_t)rand();
	return len;
}

static void
test_ipv6(void)
{
	static uint8_t frame[14 + 70000];
	uint8_t *ip6 = frame + 14, ph[40];
	uint32_t sizes[] = { 0, 1, 3, 1000, 1441, 65000 };
	char what[160];
	uint16_t s;

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
	for (int p = 0; p < 2; p++)
	for (uint32_t ext = 0; ext <= 16; ext += 16) {
		uint8_t proto = p ? IPPROTO_UDP : IPPROTO_TCP;
		uint32_t off = p ? 6 : 16, l4off = 40 + ext;
		uint32_t len = mkpkt6(ip6, proto, ext, sizes[i], i + 7);

		snprintf(what, sizeof(what), "IPv6 %s %u bytes payload, %u "
		    "bytes of extension headers: recomputed checksum verifies",
		    p ? "udp" : "tcp", sizes[i], ext);
		ip6[l4off + off] = 0x34;	/* garbage to be replaced */
		EXPECT_EQ(csum_ipv6_l4(ip6, len, l4off, proto), 0,
		    "csum_ipv6_l4 accepts");
		EXPECT(verify6_l4(ip6, len, l4off, proto), what);
		EXPECT(!verify6_l4(ip6, len, 40, proto) || ext == 0,
		    "the sum covers the upper layer only, not the options");

		/* CHECKSUM_PARTIAL over IPv6: the field holds the folded
		 * pseudo-header sum; finishing from csum_start gives the
		 * checksum a receiver accepts */
		snprintf(what, sizeof(what), "IPv6 %s %u bytes, ext %u: "
		    "finished partial checksum verifies", p ? "udp" : "tcp",
		    sizes[i], ext);
		memset(ip6 + l4off + off, 0, 2);
		pseudo6(ip6, len - l4off, proto, ph);
		s = ref_sum16(ph, 40, 0);
		ip6[l4off + off] = (uint8_t)(s >> 8);
		ip6[l4off + off + 1] = (uint8_t)s;
		EXPECT_EQ(csum_finish_partial(frame, 14 + len, 14 + l4off, off),
		    0, "csum_finish_partial accepts (IPv6)");
		EXPECT(verify6_l4(ip6, len, l4off, proto), what);
	}
	/* a known answer, worked by hand: an empty PSH+ACK segment
	 * 2001:db8::100.50000 -> 2001:db8::1.80, offset 5, flags 0x18 */
	{
		uint32_t len = mkpkt6(ip6, IPPROTO_TCP, 0, 0, 1);

		EXPECT_EQ(csum_ipv6_l4(ip6, len, 40, IPPROTO_TCP), 0,
		    "known answer: accepted");
		/* words: 2001+0db8+0100 + 2001+0db8+0001 + 0014 + 0006
		 * + c350+0050+5018 = 0x17045 -> 0x7046 -> ~ = 0x8fb9 */
		EXPECT_EQ(ip6[56] << 8 | ip6[57], 0x8fb9,
		    "known answer: TCP over IPv6 checksum 0x8fb9");
	}
	/* malformed input is refused */
	mkpkt6(ip6, IPPROTO_UDP, 0, 10, 1);
	EXPECT_EQ(csum_ipv6_l4(ip6, 39, 40, IPPROTO_UDP), -1,
	    "IPv6: shorter than the fixed header is refused");
	EXPECT_EQ(csum_ipv6_l4(ip6, 58, 60, IPPROTO_UDP), -1,
	    "IPv6: L4 offset beyond the packet is refused");
	EXPECT_EQ(csum_ipv6_l4(ip6, 46, 40, IPPROTO_UDP), -1,
	    "IPv6: UDP header cut short is refused");
	EXPECT_EQ(csum_ipv6_l4(ip6, 58, 40, IPPROTO_ICMPV6), -1,
	    "IPv6: not TCP/UDP is refused");
	ip6[0] = 0x45;
	EXPECT_EQ(csum_ipv6_l4(ip6, 58, 40, IPPROTO_UDP), -1,
	    "IPv6: version 4 is refused");
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
			EXPECT_EQ(csum_ipv4_l4(ip, len), 0, "csum_ipv4_l4 accepts");
			EXPECT(verify_l4(ip, len), what);

			snprintf(what, sizeof(what), "%s %u bytes payload: "
			    "finished partial checksum verifies",
			    p ? "udp" : "tcp", sizes[i]);
			memset(ip + 20 + off, 0, 2);
			make_partial(ip, len, off);
			EXPECT(!verify_l4(ip, len) || sizes[i] == 0,
			    "a partial checksum does not verify before finishing");
			EXPECT_EQ(csum_finish_partial(frame, 14 + len, 14 + 20,
			    off), 0, "csum_finish_partial accepts");
			EXPECT(verify_l4(ip, len), what);
		}
	}
	/* telling an unfinished checksum from a finished (or a bad) one */
	{
		uint32_t len = mkpkt(ip, IPPROTO_TCP, 100, 99);

		memset(ip + 36, 0, 2);
		make_partial(ip, len, 16);
		EXPECT_EQ(csum_l4_looks_partial(ip, len, 20, IPPROTO_TCP), 1,
		    "an unfinished (pseudo-header only) checksum is recognised");
		csum_ipv4_l4(ip, len);
		EXPECT_EQ(csum_l4_looks_partial(ip, len, 20, IPPROTO_TCP), 0,
		    "a finished checksum is not taken for unfinished");
		ip[36] ^= 0x5a;
		EXPECT_EQ(csum_l4_looks_partial(ip, len, 20, IPPROTO_TCP), 0,
		    "a bad checksum is not taken for unfinished (it stays bad)");
		len = mkpkt(ip, IPPROTO_UDP, 33, 98);
		memset(ip + 26, 0, 2);
		make_partial(ip, len, 6);
		EXPECT_EQ(csum_l4_looks_partial(ip, len, 20, IPPROTO_UDP), 1,
		    "UDP: an unfinished checksum is recognised");
	}

	/* malformed input is refused, not trusted */
	EXPECT_EQ(csum_finish_partial(frame, 40, 40, 16), -1,
	    "csum_start beyond the packet is refused");
	EXPECT_EQ(csum_finish_partial(frame, 40, 30, 16), -1,
	    "checksum field beyond the packet is refused");
	ip[0] = 0x46;
	EXPECT_EQ(csum_ipv4_l4(ip, 22), -1, "IHL beyond the packet is refused");
	ip[0] = 0x45;
	ip[9] = IPPROTO_ICMP;
	EXPECT_EQ(csum_ipv4_l4(ip, 60), -1, "not TCP/UDP is refused");
	test_ipv6();
	return EXPECT_DONE();
}
