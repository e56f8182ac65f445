/*
 * The kernel's fanout program and the daemon's fanout_worker() must agree,
 * or a connection synced or restored into worker i's table would never see
 * its frames (they would go to worker j).  Run the very program drlbd hands
 * the kernel through libpcap's classic-BPF interpreter and compare, for
 * IPv4 and IPv6 TCP/UDP frames and for ICMP errors quoting a real server's
 * packet to the client.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fanout.h"
#include "expect.h"

/* The kernel runs the program on the packet from its IP header on. */
static uint32_t
run(const uint8_t *f, unsigned len)
{
	struct sock_fprog p;

	fanout_prog(&p);
	return bpf_filter((const struct bpf_insn *)p.filter, f + 14, len - 14,
	    len - 14);
}

static unsigned
eth(uint8_t *f, uint16_t type)
{
	memset(f, 0, 14);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	return 14;
}

static void
rnd(void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)p)[i] = (uint8_t)rand();
}

int
main(void)
{
	uint8_t f[256];
	int bad4 = 0, bad6 = 0, badi4 = 0, badi6 = 0;
	unsigned used[4] = { 0 };

	srand(7);
	for (int i = 0; i < 5000; i++) {
		union drlb_inaddr c = { 0 };
		unsigned o = eth(f, 0x0800), ihl = 20 + 4 * (unsigned)(i % 4);

		/* IPv4 TCP from a client, options of 0..12 bytes */
		memset(f + o, 0, 100);
		f[o] = (uint8_t)(0x40 | ihl / 4);
		f[o + 9] = IPPROTO_TCP;
		rnd(&c.in, 4);
		if (i < 256)	/* the benchmark's and tests' clients */
			c.in.s_addr = htonl(0xc6120000u | (uint32_t)i);
		memcpy(f + o + 12, &c.in, 4);
		rnd(f + o + 16, 4);
		if (run(f, o + ihl + 20) != fanout_hash(AF_INET, &c))
			bad4++;
		used[fanout_worker(AF_INET, &c, 4)]++;

		/* ICMP frag-needed from a router about VIP -> client */
		f[o + 9] = IPPROTO_ICMP;
		rnd(f + o + 12, 4);
		f[o + ihl] = 3;
		f[o + ihl + 1] = 4;
		f[o + ihl + 8] = 0x45;
		memcpy(f + o + ihl + 8 + 16, &c.in, 4);
		if (run(f, o + ihl + 8 + 28) != fanout_hash(AF_INET, &c))
			badi4++;

		/* IPv6 UDP */
		o = eth(f, 0x86dd);
		memset(f + o, 0, 120);
		f[o] = 0x60;
		f[o + 6] = IPPROTO_UDP;
		rnd(c.b, 16);
		memcpy(f + o + 8, c.b, 16);
		if (run(f, o + 48) != fanout_hash(AF_INET6, &c))
			bad6++;
		/* ICMPv6 packet too big about VIP -> client */
		f[o + 6] = IPPROTO_ICMPV6;
		rnd(f + o + 8, 16);
		f[o + 40] = 2;
		f[o + 48] = 0x60;
		memcpy(f + o + 48 + 24, c.b, 16);
		if (run(f, o + 48 + 40) != fanout_hash(AF_INET6, &c))
			badi6++;
	}
	EXPECT_EQ(bad4, 0, "IPv4: kernel program == fanout_hash for 5000 clients");
	EXPECT_EQ(badi4, 0, "ICMP errors go to the quoted client's worker");
	EXPECT_EQ(bad6, 0, "IPv6: kernel program == fanout_hash for 5000 clients");
	EXPECT_EQ(badi6, 0, "ICMPv6 errors go to the quoted client's worker");
	/* a spread worth having: each of 4 workers gets 20-30 % */
	for (int w = 0; w < 4; w++)
		EXPECT(used[w] > 1000 && used[w] < 1500,
		    "4 workers share 5000 IPv4 clients evenly");
	{
		/* the 256 addresses of one /24 split evenly over 2 workers */
		unsigned two[2] = { 0 };

		for (uint32_t h = 0; h < 256; h++) {
			union drlb_inaddr c = { 0 };

			c.in.s_addr = htonl(0xc6120000u | h);
			two[fanout_worker(AF_INET, &c, 2)]++;
		}
		EXPECT(two[0] > 100 && two[1] > 100,
		    "one /24 splits over 2 workers (each > 100 of 256)");
	}
	/* ARP and short frames: 0, never a fault */
	eth(f, 0x0806);
	memcpy(f + 14, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	EXPECT_EQ(run(f, 42), 0, "ARP goes to worker 0");
	eth(f, 0x0800);
	EXPECT_EQ(run(f, 20), 0, "a truncated IPv4 frame: 0");
	return EXPECT_DONE();
}
