/*
 * kaconf: a realistic keepalived.conf read into services, real servers and
 * checks; the same applied to a service table through svc_apply; every
 * unsupported keyword, lb_kind and malformed block an error with file:line.
 * Also the MD5 that HTTP_GET's digest uses (RFC 1321's test suite).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"		
#include "kaconf.h"
#include "sched.h"
#include "svc.h"
#include "checker.h"		/* the checkers: MD5 */

static const char conf[] =
    "! Configuration File for keepalived\n"			/* 1 */
    "global_defs {\n"						/* 2 */
    "   notification_email { acassen@firewall.loc }\n"		/* 3 */
    "   router_id LVS_DEVEL\n"					/* 4 */
    "}\n"							/* 5 */
    "vrrp_instance VI_1 {\n"					/* 6 */
    "    state MASTER\n"					/* 7 */
    "    virtual_ipaddress {\n"					/* 8 */
    "        198.18.0.1\n"					/* 9 */
    "    }\n"							/* 10 */
    "}\n"							/* 11 */
    "virtual_server 198.18.0.1 80 {\n"				/* 12 */
    "    delay_loop 6\n"					/* 13 */
    "    lb_algo wrr\n"						/* 14 */
    "    lb_kind DR\n"						/* 15 */
    "    persistence_timeout 50\n"				/* 16 */
    "    persistence_granularity 255.255.255.0\n"		/* 17 */
    "    protocol TCP\n"					/* 18 */
    "    sorry_server 198.18.0.9 80\n"				/* 19 */
    "    real_server 198.18.0.7 80 {\n"				/* 20 */
    "        weight 3\n"						/* 21 */
    "        HTTP_GET {\n"						/* 22 */
    "            url {\n"						/* 23 */
    "              path /testurl/test.jsp\n"			/* 24 */
    "              digest 640205b7b0fc66c1ea91c463fac6334d\n"	/* 25 */
    "            }\n"						/* 26 */
    "            url {\n"						/* 27 */
    "              path /health\n"					/* 28 */
    "              status_code 204\n"				/* 29 */
    "              regex \"ok|fine\"\n"				/* 30 */
    "            }\n"						/* 31 */
    "            connect_timeout 3\n"				/* 32 */
    "            nb_get_retry 3\n"					/* 33 */
    "            delay_before_retry 0.5\n"			/* 34 */
    "        }\n"							/* 35 */
    "    }\n"							/* 36 */
    "    real_server 198.18.0.8 80 {\n"				/* 37 */
    "        weight 1\n"						/* 38 */
    "        inhibit_on_failure\n"				/* 39 */
    "        TCP_CHECK { connect_port 8080\n"			/* 40 */
    "            connect_timeout 2 }\n"				/* 41 */
    "    }\n"							/* 42 */
    "}\n"							/* 43 */
    "virtual_server 198.18.0.1 53 {\n"				/* 44 */
    "    protocol UDP\n"					/* 45 */
    "    lb_algo rr\n"						/* 46 */
    "    lb_kind DR\n"						/* 47 */
    "    real_server 198.18.0.7 53 {\n"				/* 48 */
    "        MISC_CHECK {\n"					/* 49 */
    "            misc_path \"/usr/local/bin/check_dns 198.18.0.7\"\n" /* 50 */
    "            misc_timeout 4\n"					/* 51 */
    "            misc_dynamic\n"					/* 52 */
    "            rise 2\n"						/* 53 */
    "            fall 4\n"						/* 54 */
    "        }\n"							/* 55 */
    "    }\n"							/* 56 */
    "}\n";							/* 57 */

static void
test_parse(void)
{
	struct kaconf k;
	char err[512];
	const struct kaconf_vs *vs;
	const struct kaconf_rs *rs;
	const struct kaconf_check *c;
	struct in_addr a;

	EXPECT_EQ(kaconf_parse_buf("ka.conf", conf, sizeof(conf) - 1, &k, err,
	    sizeof(err)), 0, "the realistic file parses");
	if (k.vs == NULL) {
		printf("# %s\n", err);
		return;
	}
	EXPECT_EQ(k.nskipped, 2, "global_defs and vrrp_instance skipped");
	EXPECT_STR(k.skipped[0].name, "global_defs", "first skipped: global_defs");
	EXPECT_EQ(k.skipped[1].line, 6, "vrrp_instance skipped at its line");

	vs = k.vs;
	inet_pton(AF_INET, "198.18.0.1", &a);
	EXPECT_EQ(vs->line, 12, "vs 1 line");
	EXPECT_EQ(vs->conf.af, AF_INET, "vs 1 IPv4");
	EXPECT_EQ(vs->conf.addr.in.s_addr, a.s_addr, "vs 1 VIP");
	EXPECT_EQ(vs->conf.port, 80, "vs 1 port");
	EXPECT_EQ(vs->conf.protocol, IPPROTO_TCP, "vs 1 TCP");
	EXPECT_STR(vs->conf.sched_name, "wrr", "vs 1 lb_algo wrr");
	EXPECT_EQ(vs->conf.flags, DRLB_SVC_F_PERSISTENT, "vs 1 persistent");
	EXPECT_EQ(vs->conf.timeout, 50, "vs 1 persistence_timeout 50");
	inet_pton(AF_INET, "255.255.255.0", &a);
	EXPECT_EQ(vs->conf.netmask, a.s_addr, "vs 1 granularity /24");
	EXPECT_EQ(vs->delay_loop_ms, 6000, "vs 1 delay_loop 6 s");
	EXPECT_EQ(vs->has_sorry, 1, "vs 1 sorry server");
	EXPECT_EQ(vs->sorry.port, 80, "sorry server port");
	EXPECT_EQ(vs->sorry.weight, 1, "sorry server weight 1");

	rs = vs->rs;
	EXPECT_EQ(rs->line, 20, "rs .7 line");
	EXPECT_EQ(rs->weight, 3, "rs .7 weight 3");
	EXPECT_EQ(rs->inhibit, 0, "rs .7 removed on failure (default)");
	c = rs->checks;
	EXPECT_EQ(c->type, KACONF_HTTP_GET, "rs .7 check 1 HTTP_GET");
	EXPECT_STR(c->path, "/testurl/test.jsp", "url 1 path");
	EXPECT_EQ(c->has_digest, 1, "url 1 digest");
	EXPECT_EQ(c->digest[0], 0x64, "url 1 digest first byte");
	EXPECT_EQ(c->digest[15], 0x4d, "url 1 digest last byte");
	EXPECT_EQ(c->status_code, 0, "url 1 any 2xx");
	EXPECT_EQ(c->connect_timeout_ms, 3000, "url 1 connect_timeout 3 (after the url)");
	EXPECT_EQ(c->retry, 3, "url 1 nb_get_retry 3");
	EXPECT_EQ(c->fall, 4, "url 1 DOWN after 1 + 3 retries");
	EXPECT_EQ(c->rise, 1, "url 1 UP after 1 success");
	EXPECT_EQ(c->delay_before_retry_ms, 500, "url 1 delay_before_retry 0.5");
	EXPECT_EQ(c->connect_port, 0, "url 1 the real server's port");
	c = c->next;
	EXPECT(c != NULL && c->next == NULL, "two urls: two checks");
	if (c == NULL)
		goto out;
	EXPECT_STR(c->path, "/health", "url 2 path");
	EXPECT_EQ(c->status_code, 204, "url 2 status_code 204");
	EXPECT_STR(c->regex, "ok|fine", "url 2 regex");
	EXPECT_EQ(c->has_digest, 0, "url 2 no digest");
	EXPECT_EQ(c->connect_timeout_ms, 3000, "url 2 shares connect_timeout");

	rs = rs->next;
	EXPECT_EQ(rs->weight, 1, "rs .8 weight 1");
	EXPECT_EQ(rs->inhibit, 1, "rs .8 inhibit_on_failure");
	c = rs->checks;
	EXPECT_EQ(c->type, KACONF_TCP_CHECK, "rs .8 TCP_CHECK");
	EXPECT_EQ(c->connect_port, 8080, "rs .8 connect_port 8080");
	EXPECT_EQ(c->connect_timeout_ms, 2000, "rs .8 connect_timeout 2 (braces on the lines)");
	EXPECT_EQ(c->retry, 1, "rs .8 keepalived's default retry 1");
	EXPECT_EQ(c->fall, 2, "rs .8 DOWN after 2 failures");
	EXPECT_EQ(c->delay_before_retry_ms, 1000, "rs .8 default delay_before_retry 1 s");
	EXPECT(rs->next == NULL, "vs 1 has two real servers");

	vs = vs->next;
	EXPECT_EQ(vs->conf.protocol, IPPROTO_UDP, "vs 2 UDP");
	EXPECT_EQ(vs->conf.flags, 0, "vs 2 not persistent");
	EXPECT_EQ(vs->delay_loop_ms, 60000, "vs 2 default delay_loop 60 s");
	EXPECT_EQ(vs->has_sorry, 0, "vs 2 no sorry server");
	EXPECT_EQ(vs->rs->weight, 1, "vs 2 rs default weight 1");
	c = vs->rs->checks;
	EXPECT_EQ(c->type, KACONF_MISC_CHECK, "vs 2 MISC_CHECK");
	EXPECT_STR(c->misc_path, "/usr/local/bin/check_dns 198.18.0.7", "misc_path quoted");
	EXPECT_EQ(c->misc_timeout_ms, 4000, "misc_timeout 4");
	EXPECT_EQ(c->misc_dynamic, 1, "misc_dynamic");
	EXPECT_EQ(c->rise, 2, "rise 2");
	EXPECT_EQ(c->fall, 4, "fall 4");
	EXPECT(vs->next == NULL, "two virtual servers");
out:
	kaconf_free(&k);
}

/* The file's rules in a service table, as drlbd applies them at start. */
static void
test_table(void)
{
	struct kaconf k;
	struct svc_table t;
	char err[512];
	struct in_addr vip;
	struct svc *s;

	svc_table_init(&t);
	if (kaconf_parse_buf("ka.conf", conf, sizeof(conf) - 1, &k, err,
	    sizeof(err)) != 0)
		return;
	EXPECT_EQ(kaconf_to_table(&k, "ka.conf", &t, err, sizeof(err)), 0,
	    "applies through svc_apply");
	inet_pton(AF_INET, "198.18.0.1", &vip);
	s = svc_find(&t, AF_INET, IPPROTO_TCP, (union drlb_inaddr *)&vip, 80);
	EXPECT(s != NULL, "TCP 198.18.0.1:80 in the table");
	if (s != NULL) {
		EXPECT_STR(s->sched->name, "wrr", "its scheduler");
		EXPECT_EQ(s->ndests, 2, "its two real servers (no sorry server)");
		/* IPVS's order: the newest first */
		EXPECT_EQ(s->dests[0]->conf.weight, 1, ".8 first, weight 1");
		EXPECT_EQ(s->dests[1]->conf.weight, 3, ".7 weight 3");
		EXPECT_EQ(s->dests[1]->conf.conn_flags, DRLB_FWD_DROUTE, "DR");
	}
	s = svc_find(&t, AF_INET, IPPROTO_UDP, (union drlb_inaddr *)&vip, 53);
	EXPECT(s != NULL && s->ndests == 1, "UDP 198.18.0.1:53 with one");
	kaconf_free(&k);
	svc_table_free(&t);

	/* an unknown scheduler: the lb_algo line, and the names there are */
	{
		static const char unk[] = "\n\nvirtual_server 198.18.0.1 80 {\n"
		    " lb_algo nosuch\n}\n";
		EXPECT_EQ(kaconf_parse_buf("b.conf", unk, sizeof(unk) - 1, &k,
		    err, sizeof(err)), -1, "unknown scheduler: refused");
		EXPECT_STR(err, "b.conf:4: lb_algo: unknown scheduler 'nosuch' "
		    "(drlbd has: rr wlc lc sed nq wrr fo ovf twos dh sh mh lblc "
		    "lblcr)", "unknown scheduler: line, name, the valid names");
	}

	/* a semantic error from svc_apply names the offending line */
	svc_table_init(&t);
	{
		static const char dup[] = "virtual_server 198.18.0.1 80 {\n"
		    " real_server 198.18.0.7 80 { }\n"
		    " real_server 198.18.0.7 80 { }\n}\n";
		kaconf_parse_buf("c.conf", dup, sizeof(dup) - 1, &k, err,
		    sizeof(err));
		EXPECT_EQ(kaconf_to_table(&k, "c.conf", &t, err, sizeof(err)), -1,
		    "a real server twice: refused");
		EXPECT_STR(err, "c.conf:3: real_server: Destination already exists",
		    "a real server twice: file:line and ipvsadm's message");
		kaconf_free(&k);
	}
	svc_table_free(&t);
}

struct bad {
	const char *text;
	const char *err;		/* the start of the message */
};

static const struct bad bad[] = {
	{ "virtual_server 198.18.0.1 80 {\n lb_kind NAT\n}\n",
	  "x.conf:2: lb_kind NAT: drlbd forwards by direct routing only" },
	{ "virtual_server 198.18.0.1 80 {\n\n lb_kind TUN\n}\n",
	  "x.conf:3: lb_kind TUN: drlbd forwards by direct routing only" },
	{ "virtual_server 198.18.0.1 80 {\n lvs_method NAT\n}\n",
	  "x.conf:2: lvs_method NAT" },
	{ "virtual_server 198.18.0.1 80 {\n ha_suspended\n}\n",
	  "x.conf:2: unsupported keyword 'ha_suspended' in virtual_server" },
	{ "virtual_server 198.18.0.1 80 {\n real_server 198.18.0.7 80 {\n"
	  "  notify_sideways /bin/true\n }\n}\n",
	  "x.conf:3: unsupported keyword 'notify_sideways' in real_server" },
	{ "virtual_server 198.18.0.1 80 {\n real_server 198.18.0.7 80 {\n"
	  "  PING_CHECK {\n }\n }\n}\n",
	  "x.conf:3: PING_CHECK is not run by drlbd" },
	{ "virtual_server 198.18.0.1 80 {\n real_server 198.18.0.7 80 {\n"
	  "  HTTP_GET {\n   url {\n    path /\n    vhost x\n }\n }\n }\n}\n",
	  "x.conf:6: unsupported keyword 'vhost' in url" },
	{ "virtual_server 198.18.0.1 80 {\n real_server 198.18.0.7 80 {\n"
	  "  TCP_CHECK {\n   misc_path /bin/true\n  }\n }\n}\n",
	  "x.conf:4: unsupported keyword 'misc_path' in TCP_CHECK" },
	{ "virtual_server 198.18.0.1 80 {\n real_server 198.18.0.7 80 {\n"
	  "  HTTP_GET {\n   connect_timeout 1\n  }\n }\n}\n",
	  "x.conf:3: HTTP_GET without a url block" },
	{ "virtual_server 198.18.0.1 80 {\n real_server 198.18.0.7 80 {\n"
	  "  MISC_CHECK {\n  misc_timeout 3\n  }\n }\n}\n",
	  "x.conf:3: MISC_CHECK without misc_path" },
	{ "virtual_server 198.18.0.1 80 {\n real_server 198.18.0.7 80 {\n"
	  "  HTTP_GET {\n   url {\n    path /\n    digest 12345\n }\n }\n }\n}\n",
	  "x.conf:6: digest: '12345' is not an MD5 digest" },
	{ "virtual_server 198.18.0.1 80 {\n real_server 198.18.0.7 80 {\n"
	  "  weight 70000\n }\n}\n",
	  "x.conf:3: weight: '70000' is not a number from 0 to 65535" },
	{ "virtual_server 198.18.0.1 80 {\n delay_loop soon\n}\n",
	  "x.conf:2: delay_loop: 'soon' is not a time" },
	{ "virtual_server fwmark 1 {\n}\n",
	  "x.conf:1: virtual_server fwmark: not supported by drlbd" },
	{ "virtual_server group WEB {\n}\n",
	  "x.conf:1: virtual_server group WEB: no virtual_server_group WEB" },
	{ "virtual_server_group WEB {\n fwmark 1\n}\n",
	  "x.conf:2: virtual_server_group WEB: fwmark: not supported by drlbd" },
	{ "static_ipaddress {\n 198.18.0.3/24 dev eth0\n}\n",
	  "x.conf:1: unsupported keyword 'static_ipaddress'" },
	{ "include /nonexistent/drlb/other.conf\n",
	  "x.conf:1: include /nonexistent/drlb/other.conf: "
	  "/nonexistent/drlb/other.conf: no such file" },
	{ "virtual_server 198.18.0.1 80 {\n protocol SCTP\n}\n",
	  "x.conf:2: protocol SCTP: drlbd forwards TCP and UDP only" },
	{ "virtual_server www.example.org 80 {\n}\n",
	  "x.conf:1: virtual_server: 'www.example.org' is not an IPv4 or IPv6" },
	{ "virtual_server 198.18.0.1 80 {\n real_server 2001:db8::7 80 {\n }\n}\n",
	  "x.conf:2: real_server 2001:db8::7: not of the virtual server's" },
	{ "virtual_server 198.18.0.1 80 {\n lb_algo wrr\n",
	  "x.conf:1: virtual_server: block not closed" },
	{ "virtual_server 198.18.0.1 80 {\n}\n}\n",
	  "x.conf:3: '}' without a block" },
	{ "virtual_server 198.18.0.1 80 {\n real_server 198.18.0.7 80 {\n"
	  "  MISC_CHECK {\n   misc_path \"/bin/true\n  }\n }\n}\n",
	  "x.conf:4: unterminated quoted string" },
	{ "virtual_server 198.18.0.1 53 {\n protocol UDP\n"
	  " real_server 198.18.0.7 53 {\n  TCP_CHECK {\n  fwmark 3\n  }\n"
	  " }\n}\n",
	  "x.conf:5: fwmark: drlbd's checks cannot mark their packets" },
	{ "virtual_server 198.18.0.1 80 {\n persistence_granularity 255.0.255.0\n}\n",
	  "x.conf:2: persistence_granularity: '255.0.255.0' is not a netmask" },
	{ "virtual_server 198.18.0.1 80 {\n sorry_server 198.18.0.7 80\n"
	  " real_server 198.18.0.7 80 {\n }\n}\n",
	  "x.conf:2: sorry_server is also the real_server of line 3" },
	{ "virtual_server 198.18.0.1 80\n",
	  "x.conf:1: virtual_server: '{' expected" },
	{ "global_defs\n",
	  "x.conf:1: global_defs: '{' expected" },
	{ "vrrp_instance VI_1 {\n state MASTER\n",
	  "x.conf:1: vrrp_instance: block not closed" },
};

static void
test_errors(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kaconf k;
		char err[512], what[160];
		int rc = kaconf_parse_buf("x.conf", bad[i].text,
		    strlen(bad[i].text), &k, err, sizeof(err));

		snprintf(what, sizeof(what), "error %zu: %s", i, bad[i].err);
		EXPECT_EQ(rc, -1, what);
		if (rc == 0)
			kaconf_free(&k);
		else if (strncmp(err, bad[i].err, strlen(bad[i].err)) != 0)
			EXPECT_STR(err, bad[i].err, what);
		else
			EXPECT(k.vs == NULL, "nothing left after an error");
	}
}

/* keepalived's reading: warnings, inheritance, groups, limits, CRLF */
static void
test_keepalived(void)
{
	static const char t[] =
	    "virtual_server_group G {\r\n"				/* 1 */
	    "  198.18.0.10-12 80\r\n"					/* 2 */
	    "}\r\n"							/* 3 */
	    "virtual_server group G {\r\n"				/* 4 */
	    "  lb_kind dr ! lower case\r\n"				/* 5 */
	    "  protocol TCP\r\n"					/* 6 */
	    "  lb_algo rr\r\n"						/* 7 */
	    "  retry 4\r\n"						/* 8 */
	    "  weight 3\r\n"						/* 9 */
	    "  quorum 9\r\n"						/* 10 */
	    "  real_server 198.18.0.7 80 {\r\n"			/* 11 */
	    "    HTTP_GET { url { path /a#b\r\n } }\r\n"		/* 12 */
	    "    MISC_CHECK { misc_path \"/bin/true #1\" }\r\n"	/* 13 */
	    "    DNS_CHECK { }\r\n"					/* 14 */
	    "  }\r\n"							/* 15 */
	    "}";							/* 16 */
	struct kaconf k;
	char err[512];
	const struct kaconf_check *c;

	EXPECT_EQ(kaconf_parse_buf("k.conf", t, sizeof(t) - 1, &k, err,
	    sizeof(err)), 0, "CRLF, no final newline, a group: parses");
	if (k.vs == NULL) {
		printf("# %s\n", err);
		return;
	}
	EXPECT_EQ(k.vs->nsvcs, 3, "the group's range: three services");
	EXPECT_EQ(k.vs->svcs[2].addr.b[3], 12, "... the last 198.18.0.12");
	EXPECT_EQ(k.vs->rs->weight, 3, "the virtual server's weight inherited");
	EXPECT_EQ(k.vs->quorum, 3, "quorum above the total weight: reduced");
	EXPECT(k.nwarn >= 2 && strstr(k.warn[0], "k.conf:5: lb_kind dr: read "
	    "as DR") == k.warn[0], "lb_kind dr: a warning naming its line");
	c = k.vs->rs->checks;
	EXPECT_STR(c->path, "/a", "'#' starts a comment anywhere");
	EXPECT_EQ(c->retry, 4, "retry from the virtual server");
	EXPECT_EQ(c->delay_before_retry_ms, 3000, "HTTP_GET: 3 s by default");
	c = c->next;
	EXPECT_STR(c->misc_path, "/bin/true #1", "... but not in quotes");
	EXPECT_EQ(c->retry, 4, "MISC_CHECK: retry inherited over its 0");
	c = c->next;
	EXPECT_EQ(c->dns_type, 6, "DNS_CHECK: SOA by default");
	EXPECT_EQ(c->delay_before_retry_ms, 60000, "DNS_CHECK: delay_loop");
	kaconf_free(&k);
}

static const struct bad bad2[] = {
	{ "virtual_server 198.18.0.1 80 {\n protocol TCP\n\n"
	  " persistence_timeout 2678401\n}\n",
	  "x.conf:4: persistence_timeout: '2678401' is not a number from 1 "
	  "to 2678400" },
	{ "virtual_server 198.18.0.1 80 {\n real_server 198.18.0.7 80 {\n"
	  "  weight -1\n }\n}\n",
	  "x.conf:3: weight: '-1' is not a number" },
	{ "virtual_server 198.18.0.1 65536 {\n}\n",
	  "x.conf:1: virtual_server: '65536' is not a number from 0 to 65535" },
	{ "virtual_server 198.18.0.1 80 {\n real_server 198.18.0.7 80 {\n"
	  "  TCP_CHECK {\n   connect_port 0\n  }\n }\n}\n",
	  "x.conf:4: connect_port: '0' is not a number from 1 to 65535" },
	{ "virtual_server 198.18.0.1 80 {\n lb_kind TUN\n}\n",
	  "x.conf:2: lb_kind TUN: drlbd forwards by direct routing only" },
	{ "virtual_server 198.18.0.1 80 {\n persistence_engine sip\n}\n",
	  "x.conf:2: persistence_engine sip: drlbd has no persistence engines" },
	{ "virtual_server 198.18.0.1 80 {\n protocol TCP\n ops\n"
	  " real_server 198.18.0.7 80 {\n }\n}\n",
	  "x.conf:1: ops: one-packet scheduling is for UDP only" },
	{ "virtual_server 198.18.0.1 80 {\n real_server 198.18.0.7 80 {\n"
	  "  UDP_CHECK {\n   require_reply 6g\n  }\n }\n}\n",
	  "x.conf:4: require_reply: '6g' is not a hex string" },
	{ "virtual_server 198.18.0.1 80 {\n real_server 198.18.0.7 80 {\n"
	  "  HTTP_GET {\n   url {\n    path /\n    status_code 200-099\n"
	  "   }\n  }\n }\n}\n",
	  "x.conf:6: status_code: '200-099' is not a code" },
};

static void
test_errors2(void)
{
	for (size_t i = 0; i < sizeof(bad2) / sizeof(bad2[0]); i++) {
		struct kaconf k;
		char err[512], what[200];
		int rc = kaconf_parse_buf("x.conf", bad2[i].text,
		    strlen(bad2[i].text), &k, err, sizeof(err));

		snprintf(what, sizeof(what), "value %zu: %s", i, bad2[i].err);
		EXPECT_EQ(rc, -1, what);
		if (rc == 0)
			kaconf_free(&k);
		else if (strncmp(err, bad2[i].err, strlen(bad2[i].err)) != 0)
			EXPECT_STR(err, bad2[i].err, what);
	}
}

static void
md5_hex(const char *s, char *out)
{
	struct check_md5 m;
	uint8_t d[16];

	check_md5_init(&m);
	/* in two pieces: the buffering across block boundaries */
	check_md5_update(&m, s, strlen(s) / 3);
	check_md5_update(&m, s + strlen(s) / 3, strlen(s) - strlen(s) / 3);
	check_md5_final(&m, d);
	for (int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void
test_md5(void)
{
	static const char *v[][2] = {	/* RFC 1321 appendix A.5 */
		{ "", "d41d8cd98f00b204e9800998ecf8427e" },
		{ "a", "0cc175b9c0f1b6a831c399e269772661" },
		{ "abc", "900150983cd24fb0d6963f7d28e17f72" },
		{ "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
		{ "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		  "d174ab98d277d9f5a5611c2c9f419d9f" },
		{ "1234567890123456789012345678901234567890123456789012345678901234"
		  "5678901234567890", "57edf4a22be3c955ac49da2e2107b67a" },
	};
	char out[33];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char what[64];

		md5_hex(v[i][0], out);
		snprintf(what, sizeof(what), "MD5 test vector %zu", i);
		EXPECT_STR(out, v[i][1], what);
	}
}

int
main(void)
{
	test_parse();
	test_table();
	test_errors();
	test_keepalived();
	test_errors2();
	test_md5();
	return EXPECT_DONE();
}
