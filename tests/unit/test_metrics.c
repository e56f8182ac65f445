/*
 * Unit tests of metrics.c: the exposition text for a built state against
 * tests/golden/metrics.prom (DRLB_UPDATE_GOLDEN=1 rewrites it), the format's
 * rules checked line by line (every sample's family has # HELP and # TYPE
 * before it, once; names are legal; counters end in _total; label values
 * escaped), and the textfile writer.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixtures.h"
#include "metrics.h"
#include "expect.h"

#define GOLDEN "tests/golden/metrics.prom"

/* The recipe plus a UDP service: TCP 198.18.0.1:80 wlc -> .7 w2, .8 w1;
 * UDP 198.18.0.1:53 rr -> .7 w1 (MAC not resolved). */
static void
build(struct svc_table *t)
{
	struct drlb_ctl_req r;
	struct svc *s;
	int bad = 0;

	svc_table_init(t);
	bad |= fx_svc(t, DRLB_CTL_ADD_SVC, 80, "wlc");
	bad |= fx_dest(t, DRLB_CTL_ADD_DEST, 80, 7, 2);
	bad |= fx_dest(t, DRLB_CTL_ADD_DEST, 80, 8, 1);
	r = fx_req(IPPROTO_UDP, 53, "rr", 0, 0);
	bad |= fx_apply(t, DRLB_CTL_ADD_SVC, &r);
	r = fx_req(IPPROTO_UDP, 53, NULL, 7, 1);
	bad |= fx_apply(t, DRLB_CTL_ADD_DEST, &r);
	EXPECT_EQ(bad, 0, "state built with svc_apply");

	s = t->head;			/* TCP :80; dests[0] is .8 (newest) */
	s->stats = (struct drlb_stats){ .conns = 30, .inpkts = 400,
	    .inbytes = 52000 };
	s->rates = (struct drlb_rates){ .cps = 3, .inpps = 40, .inbps = 5200 };
	s->dests[1]->stats = (struct drlb_stats){ .conns = 20, .inpkts = 300,
	    .inbytes = 40000 };
	s->dests[1]->rates = (struct drlb_rates){ .cps = 2, .inpps = 30,
	    .inbps = 4000 };
	s->dests[1]->activeconns = 4;
	s->dests[1]->inactconns = 6;
	s->dests[1]->mac_state = DRLB_MAC_RESOLVED;
	s->dests[1]->flags &= ~(uint32_t)DEST_F_NOMAC;
	s->dests[0]->stats = (struct drlb_stats){ .conns = 10, .inpkts = 100,
	    .inbytes = 12000 };
	s->dests[0]->activeconns = 1;
	s->dests[0]->inactconns = 9;
	s->dests[0]->persistconns = 2;
	s->dests[0]->mac_state = DRLB_MAC_RESOLVED;
	s->dests[0]->flags &= ~(uint32_t)DEST_F_NOMAC;
	s->dests[0]->flags |= DEST_F_OVERLOAD;	/* resolved but not usable */
	/* UDP :53's .7 never answered ARP: arp_failed 1 */
	s->next->dests[0]->mac_state = DRLB_MAC_FAILED;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if (n < 0 || (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void
check_golden(const char *got, size_t len)
{
	size_t wlen = 0;
	char *want;

	if (getenv("DRLB_UPDATE_GOLDEN") != NULL) {
		FILE *f = fopen(GOLDEN, "w");
		EXPECT(f != NULL && fwrite(got, 1, len, f) == len && fclose(f) == 0,
		    "golden file rewritten");
		return;
	}
	want = slurp(GOLDEN, &wlen);
	EXPECT(want != NULL, "golden file " GOLDEN " readable");
	if (want == NULL)
		return;
	if (wlen != len || memcmp(want, got, len) != 0) {
		size_t i, line = 1;
		for (i = 0; i < len && i < wlen && got[i] == want[i]; i++)
			if (got[i] == '\n')
				line++;
		printf("# first difference at line %zu\n", line);
	}
	EXPECT(wlen == len && memcmp(want, got, len) == 0,
	    "rendered text matches " GOLDEN);
	free(want);
}

static int
legal_name(const char *n, size_t l)
{
	if (l == 0 || !(isalpha((unsigned char)n[0]) || n[0] == '_' || n[0] == ':'))
		return 0;
	for (size_t i = 1; i < l; i++)
		if (!(isalnum((unsigned char)n[i]) || n[i] == '_' || n[i] == ':'))
			return 0;
	return 1;
}

/* The format's rules, line by line. */
static void
check_format(const char *text)
{
	char help[128][96], type[128][96], types[128][16];
	int nh = 0, nt = 0, samples = 0, bad_sample = 0, no_meta = 0;
	int dup = 0, bad_name = 0, bad_total = 0, bad_labels = 0;
	const char *p = text;

	while (*p != '\0') {
		const char *e = strchr(p, '\n');
		char line[1024], name[96];
		size_t l;

		if (e == NULL) {
			EXPECT(0, "text ends with a newline");
			return;
		}
		l = (size_t)(e - p);
		if (l >= sizeof(line))
			l = sizeof(line) - 1;
		memcpy(line, p, l);
		line[l] = '\0';
		p = e + 1;
		if (strncmp(line, "# HELP ", 7) == 0 ||
		    strncmp(line, "# TYPE ", 7) == 0) {
			int is_help = line[2] == 'H';
			char kind[16] = "";

			if (sscanf(line + 7, "%95s %15s", name, kind) < 1)
				continue;
			for (int i = 0; i < (is_help ? nh : nt); i++)
				if (strcmp(is_help ? help[i] : type[i], name) == 0)
					dup++;
			if (is_help && nh < 128)
				snprintf(help[nh++], 96, "%s", name);
			if (!is_help && nt < 128) {
				snprintf(types[nt], 16, "%s", kind);
				snprintf(type[nt++], 96, "%s", name);
				if (strcmp(kind, "counter") == 0 &&
				    (strlen(name) < 6 ||
				    strcmp(name + strlen(name) - 6, "_total") != 0))
					bad_total++;
			}
			if (!legal_name(name, strlen(name)))
				bad_name++;
			continue;
		}
		if (line[0] == '#')
			continue;
		/* a sample: name[{labels}] value */
		samples++;
		size_t nl = strcspn(line, "{ ");
		char *rest = line + nl, *end;
		int has_help = 0, has_type = 0;

		if (nl >= sizeof(name)) {
			bad_sample++;
			continue;
		}
		memcpy(name, line, nl);
		name[nl] = '\0';
		for (int i = 0; i < nh; i++)
			has_help |= strcmp(help[i], name) == 0;
		for (int i = 0; i < nt; i++)
			has_type |= strcmp(type[i], name) == 0;
		if (!has_help || !has_type)
			no_meta++;
		if (*rest == '{') {
			/* label="value" pairs; inside a value only \\ \" \n escapes */
			rest++;
			while (*rest != '}' && *rest != '\0') {
				size_t ln = strcspn(rest, "=");
				if (!legal_name(rest, ln) || rest[ln + 1] != '"') {
					bad_labels++;
					break;
				}
				rest += ln + 2;
				while (*rest != '"' && *rest != '\0') {
					if (*rest == '\\') {
						if (rest[1] != '\\' && rest[1] != '"' &&
						    rest[1] != 'n')
							bad_labels++;
						rest++;
					}
					rest++;
				}
				if (*rest != '"') {
					bad_labels++;
					break;
				}
				rest++;
				if (*rest == ',')
					rest++;
			}
			if (*rest != '}') {
				bad_labels++;
				continue;
			}
			rest++;
		}
		if (*rest != ' ') {
			bad_sample++;
			continue;
		}
		strtod(rest + 1, &end);
		if (end == rest + 1 || *end != '\0')
			bad_sample++;
	}
	EXPECT(samples > 40, "many samples rendered");
	EXPECT_EQ(no_meta, 0, "every sample's family has # HELP and # TYPE before it");
	EXPECT_EQ(nh, nt, "as many # HELP as # TYPE lines");
	EXPECT_EQ(dup, 0, "no family described twice");
	EXPECT_EQ(bad_name, 0, "metric names are legal");
	EXPECT_EQ(bad_total, 0, "counters end in _total");
	EXPECT_EQ(bad_labels, 0, "labels are name=\"escaped value\" pairs");
	EXPECT_EQ(bad_sample, 0, "samples are 'name{labels} value'");
}

static void
test_escape(void)
{
	char out[64];

	EXPECT_STR(metrics_escape_label("198.18.0.1", out, sizeof(out)),
	    "198.18.0.1", "plain label value unchanged");
	EXPECT_STR(metrics_escape_label("a\"b\\c\nd", out, sizeof(out)),
	    "a\\\"b\\\\c\\nd", "quote, backslash, newline escaped");
	EXPECT_STR(metrics_escape_label("ab\"", out, 4), "ab",
	    "truncation never splits an escape");
}

static void
test_file(const char *text, uint32_t len)
{
	char dir[] = "/tmp/drlb-test-metrics.XXXXXX", path[128], tmp[160];
	size_t rl = 0;
	struct stat st;
	char *back;

	if (mkdtemp(dir) == NULL) {
		EXPECT(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/drlb.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	EXPECT_EQ(metrics_write_file(path, "old\n", 4), 0, "textfile written");
	EXPECT_EQ(metrics_write_file(path, text, len), 0, "textfile rewritten");
	back = slurp(path, &rl);
	EXPECT(back != NULL && rl == len && memcmp(back, text, len) == 0,
	    "textfile holds the whole new text");
	EXPECT(stat(tmp, &st) != 0, "no .tmp left behind");
	EXPECT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644,
	    "textfile readable by node_exporter (0644)");
	free(back);
	unlink(path);
	snprintf(path, sizeof(path), "%s/nodir/drlb.prom", dir);
	EXPECT_EQ(metrics_write_file(path, text, len), -1,
	    "unwritable path: -1 (the daemon logs it)");
	rmdir(dir);
}

int
main(void)
{
	struct svc_table t;
	struct dp_counters dp;
	struct io_stats io = { .rx_kernel_drops = 1, .tx_frames = 500,
	    .tx_errors = 2, .tx_batches = 90 };
	struct arp_counters arp = { .vip_requests_answered = 5, .garp_sent = 3,
	    .probes_sent = 4, .replies_learnt = 4 };
	/* a real server that announced the VIP from its own MAC */
	struct neigh_claimer cl = { .mac = { 0x02, 0, 0, 0, 0, 0x07 },
	    .claims = 3 };
	uint16_t claf = AF_INET;
	struct metrics_input in;
	uint32_t len = 0;
	char *text;

	build(&t);
	cl.vip.in.s_addr = fx_ip4("198.18.0.1");
	memset(&dp, 0, sizeof(dp));
	dp.rx = 1000; dp.forwarded = 500; dp.arp = 20; dp.conns_new = 30;
	dp.no_conn = 7; dp.no_dest = 3; dp.table_full = 1; dp.not_for_us = 400;
	dp.csum_finished = 450;
	memset(&in, 0, sizeof(in));
	in.svcs = &t;
	in.dp = &dp;
	in.io = &io;
	in.arp = &arp;
	in.conns = 17;
	in.conns_max = 1048576;
	in.claimers = &cl;
	in.claimer_af = &claf;
	in.nclaimers = 1;

	text = metrics_render(&in, &len);
	EXPECT(text != NULL, "metrics_render");
	if (text == NULL)
		return EXPECT_DONE();
	EXPECT_EQ(strlen(text), len, "length as returned");
	check_golden(text, len);
	check_format(text);
	EXPECT(strstr(text, "drlb_realserver_up{protocol=\"TCP\",vip=\"198.18.0.1\","
	    "port=\"80\",rip=\"198.18.0.7\",rport=\"80\"} 1\n") != NULL,
	    "resolved, usable real server is up");
	EXPECT(strstr(text, "drlb_realserver_up{protocol=\"TCP\",vip=\"198.18.0.1\","
	    "port=\"80\",rip=\"198.18.0.8\",rport=\"80\"} 0\n") != NULL,
	    "overloaded real server is not up");
	EXPECT(strstr(text, "drlb_realserver_up{protocol=\"UDP\",vip=\"198.18.0.1\","
	    "port=\"53\",rip=\"198.18.0.7\",rport=\"53\"} 0\n") != NULL,
	    "real server without a MAC is not up");
	EXPECT(strstr(text, "drlb_frames_dropped_total{reason=\"no_conn\"} 7\n") != NULL,
	    "drops by reason");
	EXPECT(strstr(text, "drlb_connection_table_entries_limit 1048576\n") != NULL,
	    "connection table bound");
	EXPECT(strstr(text, "drlb_vip_claims_total{mac=\"02:00:00:00:00:07\","
	    "vip=\"198.18.0.1\"} 3\n") != NULL, "VIP claims by MAC");
	test_file(text, len);
	free(text);

	/* without io/arp: those families are left out, the rest stays */
	in.io = NULL;
	in.arp = NULL;
	text = metrics_render(&in, &len);
	EXPECT(text != NULL && strstr(text, "drlb_tx_frames_total") == NULL &&
	    strstr(text, "drlb_arp_probes_sent_total") == NULL &&
	    strstr(text, "drlb_frames_received_total 1000\n") != NULL,
	    "io and arp families optional");
	if (text != NULL)
		check_format(text);
	free(text);

	test_escape();
	svc_table_free(&t);
	return EXPECT_DONE();
}
