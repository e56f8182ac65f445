/*
 * The counters text and JSON, and the counter tables.  See counters.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"

/* ------------------------------------------------------------ tables */

#define DP_C(f, blk, m, h) \
	{ #f, m, NULL, h, offsetof(struct dp_counters, f), blk },
#define DP_D(f, blk) \
	{ #f, NULL, #f, NULL, offsetof(struct dp_counters, f), blk },
static const struct counter_desc dp_desc[] = { DP_COUNTERS(DP_C, DP_D) };
#undef DP_C
#undef DP_D

#define IO_C(f, m, h) { #f, m, NULL, h, offsetof(struct io_stats, f), 0 },
static const struct counter_desc io_desc[] = { IO_STATS(IO_C) };
#undef IO_C

#define ARP_C(f, m, h) \
	{ "arp_" #f, m, NULL, h, offsetof(struct arp_counters, f), 0 },
static const struct counter_desc arp_desc[] = { ARP_COUNTERS(ARP_C) };
#undef ARP_C

#define NDP_C(f, m, h) \
	{ "ndp_" #f, m, NULL, h, offsetof(struct ndp_counters, f), 0 },
static const struct counter_desc ndp_desc[] = { NDP_COUNTERS(NDP_C) };
#undef NDP_C

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* every field of each struct has its entry (none was added by hand) */
_Static_assert(sizeof(struct dp_counters) == NITEMS(dp_desc) * 8,
    "struct dp_counters: a field outside DP_COUNTERS");
_Static_assert(sizeof(struct io_stats) == NITEMS(io_desc) * 8,
    "struct io_stats: a field outside IO_STATS");
_Static_assert(sizeof(struct arp_counters) == NITEMS(arp_desc) * 8,
    "struct arp_counters: a field outside ARP_COUNTERS");
_Static_assert(sizeof(struct ndp_counters) == NITEMS(ndp_desc) * 8,
    "struct ndp_counters: a field outside NDP_COUNTERS");

const struct counter_group counters_dp = { dp_desc, NITEMS(dp_desc) };
const struct counter_group counters_io = { io_desc, NITEMS(io_desc) };
const struct counter_group counters_arp = { arp_desc, NITEMS(arp_desc) };
const struct counter_group counters_ndp = { ndp_desc, NITEMS(ndp_desc) };

uint64_t
counter_value(const struct counter_desc *c, const void *base)
{
	uint64_t v;

	memcpy(&v, (const char *)base + c->off, sizeof(v));
	return v;
}

/* ------------------------------------------------------------ rendering */

/* Where the counters go, one "name value" at a time. */
struct out {
	FILE *f;
	int json;
	int members;			/* JSON: written so far */
};

static void
put(struct out *o, const char *name, unsigned long long v)
{
	if (!o->json)
		fprintf(o->f, "%s %llu\n", name, v);
	else
		fprintf(o->f, "%s\n  \"%s\": %llu", o->members++ ? "," : "",
		    name, v);
}

/* g's counters in base; block >= 0: only those of that block */
static void
put_group(struct out *o, const struct counter_group *g, const void *base,
    int block)
{
	for (size_t i = 0; i < g->n; i++)
		if (block < 0 || g->c[i].block == block)
			put(o, g->c[i].name, counter_value(&g->c[i], base));
}

/* The counters in the order of the text, which grew in this order. */
static void
put_all(struct out *o, const struct counters_input *in)
{
	char name[32];

	put_group(o, &counters_dp, &in->dp, DP_TEXT_TOP);
	put(o, "conns_now", in->conns_now);
	put(o, "conns_reclaimed", in->conns_reclaimed);
	put_group(o, &counters_dp, &in->dp, DP_TEXT_FRAMES);
	put_group(o, &counters_io, &in->io, -1);
	put_group(o, &counters_arp, &in->arp, -1);
	put_group(o, &counters_dp, &in->dp, DP_TEXT_IPV6);
	put_group(o, &counters_ndp, &in->ndp, -1);
	put(o, "workers", in->workers);
	put(o, "worker_pauses", in->worker_pauses);
	for (unsigned i = 0; i < in->nworker; i++) {
		snprintf(name, sizeof(name), "worker%u_rx", i);
		put(o, name, in->worker[i].rx);
		snprintf(name, sizeof(name), "worker%u_forwarded", i);
		put(o, name, in->worker[i].forwarded);
		snprintf(name, sizeof(name), "worker%u_conns", i);
		put(o, name, in->worker[i].conns);
	}
}

/* extra's "name value\n" lines as JSON members; -1: not such lines */
static int
put_extra(struct out *o, const char *s)
{
	char name[128];

	while (*s != '\0') {
		const char *sp = s;
		unsigned long long v;
		char *end;

		/* a name, labels included (vip_claims{mac=..,vip=..}): what
		 * needs no escaping in a JSON string */
		while (isgraph((unsigned char)*sp) && *sp != '"' && *sp != '\\')
			sp++;
		if (sp == s || (size_t)(sp - s) >= sizeof(name) || *sp != ' ' ||
		    !isdigit((unsigned char)sp[1]))
			return -1;
		errno = 0;
		v = strtoull(sp + 1, &end, 10);
		if (errno != 0 || *end != '\n')
			return -1;
		memcpy(name, s, (size_t)(sp - s));
		name[sp - s] = '\0';
		put(o, name, v);
		s = end + 1;
	}
	return 0;
}

/* Close the stream (which sets *buf and *size); its text, or NULL with
 * errno. */
static char *
finish(FILE *f, char **buf, size_t *size, uint32_t *len)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad) {
		free(*buf);
		errno = ENOMEM;
		return NULL;
	}
	if (*size > UINT32_MAX) {
		free(*buf);
		errno = EOVERFLOW;
		return NULL;
	}
	*len = (uint32_t)*size;
	return *buf;
}

char *
counters_text(const struct counters_input *in, uint32_t *len)
{
	struct out o = { 0 };
	char *buf = NULL;
	size_t size = 0;

	if ((o.f = open_memstream(&buf, &size)) == NULL)
		return NULL;
	put_all(&o, in);
	if (in->extra != NULL)
		fputs(in->extra, o.f);
	return finish(o.f, &buf, &size, len);
}

char *
counters_json(const struct counters_input *in, uint32_t *len)
{
	struct out o = { .json = 1 };
	char *buf = NULL;
	size_t size = 0;

	if ((o.f = open_memstream(&buf, &size)) == NULL)
		return NULL;
	/* what every drlbadm JSON document starts with (docs/json.md) */
	fputs("{\n  \"schema\": 1,\n  \"kind\": \"counters\"", o.f);
	o.members = 1;
	put_all(&o, in);
	if (in->extra != NULL && put_extra(&o, in->extra) < 0) {
		fclose(o.f);
		free(buf);
		errno = EINVAL;
		return NULL;
	}
	fputs("\n}\n", o.f);
	return finish(o.f, &buf, &size, len);
}
