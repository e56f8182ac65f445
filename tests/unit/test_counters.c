/*
 * Unit tests of counters.c: drlbadm --counters' text for a filled input
 * against a literal written from the daemon's documented lines (so a
 * counter missing, renamed or moved fails), the JSON rendering parsed back
 * as one flat object holding the same names and values, and every field
 * of every counter struct found exactly once in the text, the JSON and
 * the metrics (so a field without its table entry fails).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "metrics.h"
#include "expect.h"

static const char sync_lines[] =
    "sync_msgs_sent 61\nsync_conns_sent 62\nsync_send_errors 63\n";

static const char expected_text[] =
    "rx 18446744073709551615\n"
    "forwarded 2\n"
    "conns_new 3\n"
    "conns_now 4294967295\n"
    "conns_reclaimed 5\n"
    "arp 6\n"
    "not_for_us 7\n"
    "non_ip 8\n"
    "vlan 9\n"
    "malformed 10\n"
    "truncated 11\n"
    "fragment 12\n"
    "other_proto 13\n"
    "not_vip 14\n"
    "no_service 15\n"
    "no_conn 16\n"
    "no_dest 17\n"
    "table_full 18\n"
    "dest_no_mac 19\n"
    "oversize 20\n"
    "csum_finished 21\n"
    "gso 22\n"
    "rx_kernel_drops 23\n"
    "tx_frames 24\n"
    "tx_errors 25\n"
    "tx_batches 26\n"
    "arp_vip_requests_answered 27\n"
    "arp_garp_sent 28\n"
    "arp_probes_sent 29\n"
    "arp_replies_learnt 30\n"
    "arp_vip_conflicts 31\n"
    "arp_vip_claim_requests 64\n"
    "arp_vip_claim_replies 65\n"
    "arp_vip_claim_gratuitous 66\n"
    "arp_vip_claim_probes 67\n"
    "arp_vip_checks_sent 85\n"
    "arp_vip_claimers 68\n"
    "arp_vip_reclaims 69\n"
    "arp_mac_flaps 70\n"
    "arp_mac_holds 71\n"
    "arp_mac_refused 72\n"
    "arp_log_suppressed 73\n"
    "arp_malformed 32\n"
    "ndp 33\n"
    "ext_hdrs 34\n"
    "ext_hdr_dropped 35\n"
    "icmp_forwarded 36\n"
    "ndp_vip_solicits_answered 37\n"
    "ndp_unsolicited_na_sent 38\n"
    "ndp_probes_sent 39\n"
    "ndp_adverts_learnt 40\n"
    "ndp_unsolicited_ignored 74\n"
    "ndp_vip_conflicts 41\n"
    "ndp_vip_claim_adverts 75\n"
    "ndp_vip_claim_solicits 76\n"
    "ndp_vip_claim_probes 77\n"
    "ndp_vip_checks_sent 86\n"
    "ndp_vip_claimers 78\n"
    "ndp_vip_reclaims 79\n"
    "ndp_mac_flaps 80\n"
    "ndp_mac_holds 81\n"
    "ndp_mac_refused 82\n"
    "ndp_log_suppressed 83\n"
    "ndp_malformed 42\n"
    "ndp_mcast_join_errors 43\n"
    "workers 2\n"
    "worker_pauses 44\n"
    "worker0_rx 45\n"
    "worker0_forwarded 46\n"
    "worker0_conns 47\n"
    "worker1_rx 48\n"
    "worker1_forwarded 49\n"
    "worker1_conns 4294967295\n"
    "sync_msgs_sent 61\n"
    "sync_conns_sent 62\n"
    "sync_send_errors 63\n";

static const struct counters_worker two_workers[] = {
	{ .rx = 45, .forwarded = 46, .conns = 47 },
	{ .rx = 48, .forwarded = 49, .conns = 4294967295u },
};

/* Every counter set by its field name, in the text's order. */
static void
fill(struct counters_input *in)
{
	memset(in, 0, sizeof(*in));
	in->dp.rx = UINT64_MAX;
	in->dp.forwarded = 2;
	in->dp.conns_new = 3;
	in->conns_now = UINT32_MAX;
	in->conns_reclaimed = 5;
	in->dp.arp = 6;
	in->dp.not_for_us = 7;
	in->dp.non_ip = 8;
	in->dp.vlan = 9;
	in->dp.malformed = 10;
	in->dp.truncated = 11;
	in->dp.fragment = 12;
	in->dp.other_proto = 13;
	in->dp.not_vip = 14;
	in->dp.no_service = 15;
	in->dp.no_conn = 16;
	in->dp.no_dest = 17;
	in->dp.table_full = 18;
	in->dp.dest_no_mac = 19;
	in->dp.oversize = 20;
	in->dp.csum_finished = 21;
	in->dp.gso = 22;
	in->io.rx_kernel_drops = 23;
	in->io.tx_frames = 24;
	in->io.tx_errors = 25;
	in->io.tx_batches = 26;
	in->arp.vip_requests_answered = 27;
	in->arp.garp_sent = 28;
	in->arp.probes_sent = 29;
	in->arp.replies_learnt = 30;
	in->arp.vip_conflicts = 31;
	in->arp.vip_claim_requests = 64;
	in->arp.vip_claim_replies = 65;
	in->arp.vip_claim_gratuitous = 66;
	in->arp.vip_claim_probes = 67;
	in->arp.vip_checks_sent = 85;
	in->arp.vip_claimers = 68;
	in->arp.vip_reclaims = 69;
	in->arp.mac_flaps = 70;
	in->arp.mac_holds = 71;
	in->arp.mac_refused = 72;
	in->arp.log_suppressed = 73;
	in->arp.malformed = 32;
	in->dp.ndp = 33;
	in->dp.ext_hdrs = 34;
	in->dp.ext_hdr_dropped = 35;
	in->dp.icmp_forwarded = 36;
	in->ndp.vip_solicits_answered = 37;
	in->ndp.unsolicited_na_sent = 38;
	in->ndp.probes_sent = 39;
	in->ndp.adverts_learnt = 40;
	in->ndp.unsolicited_ignored = 74;
	in->ndp.vip_conflicts = 41;
	in->ndp.vip_claim_adverts = 75;
	in->ndp.vip_claim_solicits = 76;
	in->ndp.vip_claim_probes = 77;
	in->ndp.vip_checks_sent = 86;
	in->ndp.vip_claimers = 78;
	in->ndp.vip_reclaims = 79;
	in->ndp.mac_flaps = 80;
	in->ndp.mac_holds = 81;
	in->ndp.mac_refused = 82;
	in->ndp.log_suppressed = 83;
	in->ndp.malformed = 42;
	in->ndp.mcast_join_errors = 43;
	in->workers = 2;
	in->worker_pauses = 44;
	in->worker = two_workers;
	in->nworker = 2;
	in->extra = sync_lines;
}

/*
 * The JSON document as docs/json.md lays it out: "{", one "  \"name\":
 * value" member per line, "}".  Fills names/values (at most max), returns
 * how many, or -1 when it is not that shape or a value is not an unsigned
 * integer -- except kind, whose string is checked here.
 */
static int
parse_flat(const char *j, char names[][64], unsigned long long *values,
    int max)
{
	const char *p = j;
	int n = 0;

	if (strncmp(p, "{\n", 2) != 0)
		return -1;
	p += 2;
	for (;;) {
		const char *q;
		char *end;
		size_t nl;

		if (strncmp(p, "  \"", 3) != 0 || n == max)
			return -1;
		p += 3;
		if ((q = strchr(p, '"')) == NULL || (nl = (size_t)(q - p)) >= 64)
			return -1;
		memcpy(names[n], p, nl);
		names[n][nl] = '\0';
		p = q + 1;
		if (strncmp(p, ": ", 2) != 0)
			return -1;
		p += 2;
		if (strcmp(names[n], "kind") == 0) {
			if (strncmp(p, "\"counters\"", 10) != 0)
				return -1;
			values[n] = 0;
			end = (char *)p + 10;
		} else {
			if (*p < '0' || *p > '9')
				return -1;
			errno = 0;
			values[n] = strtoull(p, &end, 10);
			if (errno != 0)
				return -1;
		}
		n++;
		if (strcmp(end, "\n}\n") == 0)
			return n;
		if (strncmp(end, ",\n", 2) != 0)
			return -1;
		p = end + 2;
	}
}

/* lines of text that end in " v" (metrics: samples, not # lines) */
static int
lines_with_value(const char *text, unsigned long long v)
{
	char tail[32];
	int n = 0;
	size_t tl = (size_t)snprintf(tail, sizeof(tail), " %llu", v);

	for (const char *l = text; *l != '\0';) {
		const char *e = strchr(l, '\n');
		size_t len = e != NULL ? (size_t)(e - l) : strlen(l);

		if (l[0] != '#' && len >= tl && memcmp(l + len - tl, tail, tl) == 0)
			n++;
		l += len + (e != NULL);
	}
	return n;
}

static void
test_text(void)
{
	static const char one_dp_tail[] =
	    "ndp_mcast_join_errors 43\nworkers 1\nworker_pauses 44\n";
	struct counters_input in;
	uint32_t len = 0;
	char *t;

	fill(&in);
	t = counters_text(&in, &len);
	EXPECT_STR(t, expected_text, "counters text, every line in its place");
	EXPECT_EQ(len, strlen(expected_text), "counters text length");
	free(t);

	/* --workers 1: no worker lines; no sync daemon */
	in.workers = 1;
	in.worker = NULL;
	in.nworker = 0;
	in.extra = NULL;
	t = counters_text(&in, &len);
	EXPECT(t != NULL && len > strlen(one_dp_tail) &&
	    strcmp(t + len - strlen(one_dp_tail), one_dp_tail) == 0,
	    "one data path: ends with workers 1, worker_pauses");
	free(t);
}

static void
test_json(void)
{
	static char names[128][64];
	static unsigned long long values[128];
	struct counters_input in;
	uint32_t len = 0, tlen = 0;
	char *j, *t;
	int n, same = 1, i = 2;

	fill(&in);
	j = counters_json(&in, &len);
	t = counters_text(&in, &tlen);
	EXPECT(j != NULL && t != NULL, "counters_json, counters_text");
	if (j == NULL || t == NULL)
		goto out;
	EXPECT_EQ(len, strlen(j), "JSON length as returned");
	n = parse_flat(j, names, values, 128);
	EXPECT(n > 2, "JSON is one flat object of numbers");
	EXPECT(n > 2 && strcmp(names[0], "schema") == 0 && values[0] == 1,
	    "JSON: schema 1 first");
	EXPECT(n > 2 && strcmp(names[1], "kind") == 0, "JSON: kind counters");
	/* the text's lines, one member each, in the same order */
	for (const char *l = t; *l != '\0' && same; i++) {
		char line[128];
		const char *e = strchr(l, '\n');

		snprintf(line, sizeof(line), "%s %llu", names[i], values[i]);
		same = i < n && e != NULL && strlen(line) == (size_t)(e - l) &&
		    memcmp(line, l, (size_t)(e - l)) == 0;
		l = e != NULL ? e + 1 : "";
	}
	EXPECT(same && i == n, "JSON members are the text's lines, in order");

	in.extra = "sync_msgs_sent 1\nnot a counter\n";
	free(j);
	errno = 0;
	j = counters_json(&in, &len);
	EXPECT(j == NULL && errno == EINVAL,
	    "JSON: extra lines that are not \"name value\": EINVAL");
out:
	free(j);
	free(t);
}

/* Each field of a counter struct, seen as its uint64_t words. */
static void
fill_words(void *s, size_t size, unsigned long long base)
{
	uint64_t *w = s;

	for (size_t k = 0; k < size / 8; k++)
		w[k] = base + k;
}

static char jnames[128][64];
static unsigned long long jvalues[128];
static int jn;

static void
check_once(const char *what, const char *text, const char *metrics,
    size_t size, unsigned long long base)
{
	int text_ok = 1, json_ok = 1, metrics_ok = 1;
	char msg[128];

	for (size_t k = 0; k < size / 8; k++) {
		int m = 0;

		for (int i = 2; i < jn; i++)
			m += jvalues[i] == base + k;
		json_ok &= m == 1;
		text_ok &= lines_with_value(text, base + k) == 1;
		metrics_ok &= lines_with_value(metrics, base + k) == 1;
	}
	snprintf(msg, sizeof(msg), "%s: every field once in the text", what);
	EXPECT(text_ok, msg);
	snprintf(msg, sizeof(msg), "%s: every field once in the JSON", what);
	EXPECT(json_ok, msg);
	snprintf(msg, sizeof(msg), "%s: every field once in the metrics", what);
	EXPECT(metrics_ok, msg);
}

static void
test_every_field(void)
{
	struct counters_input in;
	struct metrics_input mi;
	struct svc_table t;
	uint32_t len;
	char *text, *json, *metrics;

	memset(&in, 0, sizeof(in));
	fill_words(&in.dp, sizeof(in.dp), 1000000);
	fill_words(&in.io, sizeof(in.io), 2000000);
	fill_words(&in.arp, sizeof(in.arp), 3000000);
	fill_words(&in.ndp, sizeof(in.ndp), 4000000);
	svc_table_init(&t);
	memset(&mi, 0, sizeof(mi));
	mi.svcs = &t;
	mi.dp = &in.dp;
	mi.io = &in.io;
	mi.arp = &in.arp;
	mi.ndp = &in.ndp;
	text = counters_text(&in, &len);
	json = counters_json(&in, &len);
	metrics = metrics_render(&mi, &len);
	EXPECT(text != NULL && json != NULL && metrics != NULL,
	    "text, JSON and metrics rendered");
	EXPECT(metrics != NULL && strstr(metrics, "\n# TYPE "
	    "drlb_ndp_mcast_join_errors_total counter\n") != NULL,
	    "metrics: ndp families when given");
	jn = json != NULL ? parse_flat(json, jnames, jvalues, 128) : -1;
	if (text != NULL && jn > 2 && metrics != NULL) {
		check_once("dp_counters", text, metrics, sizeof(in.dp), 1000000);
		check_once("io_stats", text, metrics, sizeof(in.io), 2000000);
		check_once("arp_counters", text, metrics, sizeof(in.arp),
		    3000000);
		check_once("ndp_counters", text, metrics, sizeof(in.ndp),
		    4000000);
	}
	free(text);
	free(json);
	free(metrics);
	svc_table_free(&t);
}

int
main(void)
{
	test_text();
	test_json();
	test_every_field();
	return EXPECT_DONE();
}
