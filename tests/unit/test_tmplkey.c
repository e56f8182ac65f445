/*
 * Unit tests of conn_template_key: the persistence template key of IPVS
 * ip_vs_sched_persist, <protocol, client & netmask (IPv6: prefix), 0, VIP,
 * service port or 0 for a port-0 service>, checked field by field.
 */
#include <arpa/inet.h>
#include <string.h>

#include "svc.h"
#include "conn.h"
#include "expect.h"

static struct conn_key
mkkey(int af, uint8_t proto, const char *caddr, uint16_t cport,
    const char *vaddr, uint16_t vport)
{
	struct conn_key k;

	memset(&k, 0, sizeof(k));
	k.af = (uint8_t)af;
	k.protocol = proto;
	inet_pton(af, caddr, &k.caddr);
	inet_pton(af, vaddr, &k.vaddr);
	k.cport = htons(cport);
	k.vport = htons(vport);
	return k;
}

static struct svc
mksvc(uint16_t port, uint32_t netmask)
{
	struct svc s;

	memset(&s, 0, sizeof(s));
	s.conf.port = port;
	s.conf.netmask = netmask;
	s.conf.flags = DRLB_SVC_F_PERSISTENT;
	return s;
}

static union drlb_inaddr
addr(int af, const char *text)
{
	union drlb_inaddr a;

	memset(&a, 0, sizeof(a));
	inet_pton(af, text, &a);
	return a;
}

static void
test_v4(void)
{
	struct in_addr m;
	struct svc s;
	struct conn_key k, tk;
	union drlb_inaddr want;

	inet_pton(AF_INET, "255.255.255.0", &m);
	s = mksvc(80, m.s_addr);
	k = mkkey(AF_INET, IPPROTO_TCP, "198.18.7.100", 40000,
	    "198.18.0.1", 80);
	conn_template_key(&s, &k, &tk);
	want = addr(AF_INET, "198.18.7.0");
	EXPECT_MEM(tk.caddr.b, want.b, 16, "v4 -M /24: client 198.18.7.0");
	want = addr(AF_INET, "198.18.0.1");
	EXPECT_MEM(tk.vaddr.b, want.b, 16, "v4: VIP kept");
	EXPECT_EQ(tk.cport, 0, "v4: client port 0");
	EXPECT_EQ(ntohs(tk.vport), 80, "v4: the service's port");
	EXPECT_EQ(tk.protocol, IPPROTO_TCP, "v4: protocol kept");
	EXPECT_EQ(tk.af, AF_INET | CONN_KEY_TEMPLATE, "v4: a template key");
	EXPECT_EQ(ntohs(k.cport), 40000, "the connection's key is left as is");

	/* another client of the same /24, another port: the same key */
	{
		struct conn_key k2 = mkkey(AF_INET, IPPROTO_TCP,
		    "198.18.7.250", 5555, "198.18.0.1", 80), tk2;

		conn_template_key(&s, &k2, &tk2);
		EXPECT_MEM(tk2.caddr.b, tk.caddr.b, 16,
		    "v4: one key for the client group");
		EXPECT_EQ(tk2.cport, tk.cport, "v4: one key, port too");
	}

	/* UDP, -M 255.255.255.255: the client alone */
	s = mksvc(53, 0xffffffffu);
	k = mkkey(AF_INET, IPPROTO_UDP, "198.18.7.100", 40000,
	    "198.18.0.1", 53);
	conn_template_key(&s, &k, &tk);
	want = addr(AF_INET, "198.18.7.100");
	EXPECT_MEM(tk.caddr.b, want.b, 16, "v4 -M /32: the client itself");
	EXPECT_EQ(tk.protocol, IPPROTO_UDP, "v4: UDP kept");
	EXPECT_EQ(ntohs(tk.vport), 53, "v4 UDP: the service's port");
}

static void
test_v6(void)
{
	struct svc s = mksvc(443, 64);
	struct conn_key k, tk;
	union drlb_inaddr want;

	k = mkkey(AF_INET6, IPPROTO_TCP, "2001:db8:1:2f:aaaa:bbbb:cccc:dddd",
	    40000, "2001:db8::1", 443);
	conn_template_key(&s, &k, &tk);
	want = addr(AF_INET6, "2001:db8:1:2f::");
	EXPECT_MEM(tk.caddr.b, want.b, 16, "v6 /64: the client's prefix");
	want = addr(AF_INET6, "2001:db8::1");
	EXPECT_MEM(tk.vaddr.b, want.b, 16, "v6: VIP kept");
	EXPECT_EQ(tk.cport, 0, "v6: client port 0");
	EXPECT_EQ(ntohs(tk.vport), 443, "v6: the service's port");
	EXPECT_EQ(tk.af, AF_INET6 | CONN_KEY_TEMPLATE, "v6: a template key");

	/* a prefix that ends inside a byte */
	s = mksvc(443, 60);
	conn_template_key(&s, &k, &tk);
	want = addr(AF_INET6, "2001:db8:1:20::");
	EXPECT_MEM(tk.caddr.b, want.b, 16, "v6 /60: half of byte 7 kept");

	/* beyond 128 bits: the whole address */
	s = mksvc(443, 200);
	conn_template_key(&s, &k, &tk);
	EXPECT_MEM(tk.caddr.b, k.caddr.b, 16, "v6 /200: taken as /128");
}

static void
test_port0(void)
{
	struct in_addr m;
	struct svc s;
	struct conn_key k, tk, tk2;

	/* a port-0 service: every port of the VIP under one template */
	inet_pton(AF_INET, "255.255.0.0", &m);
	s = mksvc(0, m.s_addr);
	k = mkkey(AF_INET, IPPROTO_TCP, "198.18.7.100", 40000,
	    "198.18.0.1", 443);
	conn_template_key(&s, &k, &tk);
	EXPECT_EQ(tk.vport, 0, "port-0 service: port 0 in the key");
	EXPECT_EQ(tk.cport, 0, "port-0 service: client port 0");
	EXPECT_EQ(ntohl(tk.caddr.in.s_addr), 0xc6120000u,
	    "port-0 service -M /16: client 198.18.0.0");
	k.vport = htons(8080);
	conn_template_key(&s, &k, &tk2);
	EXPECT_EQ(tk2.vport, 0, "port-0 service: another port, the same key");
	EXPECT_EQ(tk2.caddr.in.s_addr, tk.caddr.in.s_addr,
	    "port-0 service: same client group");
}

int
main(void)
{
	test_v4();
	test_v6();
	test_port0();
	return EXPECT_DONE();
}
