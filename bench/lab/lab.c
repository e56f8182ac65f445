/*
 * lab — the scheduler lab: replay a workload through the scheduler and
 * connection-table code drlbd runs (sched/ *.c, svc.c, conn.c linked as
 * they are, no copy) on a simulated clock, and measure per scheduler how
 * evenly the load spreads over real servers of unequal capacity, how many
 * clients change server when a real server fails and comes back, and how
 * fast the decisions are.  bench/lab/README.md explains the model and the
 * output; `make lab` runs bench/lab/run.sh.
 *
 *   lab [options]      (lab --help)
 *
 * What is real and what is modelled:
 * - real: the service and its real servers are made with svc_apply() (as
 *   drlbadm -A/-a/-e/-d would), each new connection is placed by the
 *   service's schedule(), inserted with conn_insert() and moved through
 *   SYN, ACK (ESTABLISHED: ActiveConn) and, when it ends, FIN (FIN_WAIT:
 *   InActConn) with conn_seen(); it leaves the table through conn_expire()
 *   once the tcp_fin timeout (--set style, conn_set_timeouts, 2 s here)
 *   has passed; the schedulers' tick hook runs every simulated second.
 *   So activeconns/inactconns -- what lc, wlc, sed, nq, ovf, twos and
 *   lblc(r) look at -- move exactly as in the daemon.
 * - modelled: arrivals, lifetimes and the servers.  Real server i has
 *   slots_i = capacity_i * K workers.  A connection that arrives when i
 *   already has n ESTABLISHED connections lasts
 *        work * max(1, (n + 1) / slots_i)
 *   (processor sharing, frozen at arrival): below its slot count a server
 *   serves at full speed, above it every connection is stretched, and the
 *   server with fewer slots (the slow one) stretches first.  Its load,
 *   normalised by capacity, is its occupancy activeconns / slots_i: equal
 *   on all servers when the work is spread in proportion to capacity.
 *
 * Addresses come from 198.18.0.0/15 (RFC 2544's benchmarking range): VIP
 * 198.18.0.1, real servers 198.19.0.1.., clients 198.18.1.1 onwards.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fixtures.h"
#include "sched/twos.h"

#define VIP		0xc6120001u	/* 198.18.0.1 */
#define RIP_BASE	0xc6130000u	/* 198.19.0.0 */
#define VPORT		80
#define MAX_SRV		16
#define CLOCK_BASE	1000u		/* the table's clock at t = 0 */
#define FIN_TIMEOUT	2		/* s in FIN_WAIT before expiry */
#define SMOOTH		10		/* seconds of the moving average */

static const char *const all_scheds[] = {
	"rr", "wrr", "lc", "wlc", "sed", "nq", "fo", "ovf", "twos",
	"dh", "sh", "mh", "lblc", "lblcr",
};
#define N_ALL (sizeof(all_scheds) / sizeof(all_scheds[0]))

/* ------------------------------------------------------------ options */

enum wl_kind { WL_POISSON, WL_BURSTY, WL_TRACE };
enum life_kind { LIFE_LOGNORMAL, LIFE_PARETO };
enum fail_mode { FAIL_NONE, FAIL_REMOVE, FAIL_WEIGHT0 };

struct opts {
	enum wl_kind wl;
	const char *trace;		/* WL_TRACE: the CSV */
	enum life_kind life;
	double duration, rate, mean_work;
	double on_mean, off_mean;	/* bursty: mean on / off period, s */
	uint32_t clients;
	uint64_t seed;
	uint32_t nsrv;
	uint32_t cap[MAX_SRV];
	uint32_t k;			/* slots per unit of capacity */
	enum fail_mode fail;
	uint32_t fail_srv;		/* index */
	uint32_t fail_at, back_at;	/* whole seconds */
	const char *scheds[N_ALL];
	uint32_t nscheds;
	const char *outdir;
	const char *dump;
	const char *title;
	uint32_t rounds;		/* timing rounds per scheduler */
};

/* ------------------------------------------------------------ random */

/* splitmix64: small, fast, fixed sequence for a seed */
static uint64_t rng_state;

static uint64_t
rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in (0, 1) */
static double
rng_unit(void)
{
	return ((double)(rng_next() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double
rng_exp(double mean)
{
	return -mean * log(rng_unit());
}

static double
rng_normal(void)
{
	/* Box-Muller, one value per call (the other is dropped: simplicity
	 * over speed, the workload is generated once) */
	return sqrt(-2.0 * log(rng_unit())) * cos(2.0 * M_PI * rng_unit());
}

/* heavy-tailed work with the given mean */
static double
rng_work(enum life_kind k, double mean)
{
	if (k == LIFE_PARETO) {
		/* alpha 1.5: finite mean, infinite variance; xm = mean/3 */
		const double alpha = 1.5;
		double xm = mean * (alpha - 1.0) / alpha;

		return xm / pow(rng_unit(), 1.0 / alpha);
	}
	/* lognormal, sigma 1.5: mean = exp(mu + sigma^2/2) */
	const double sigma = 1.5;
	double mu = log(mean) - sigma * sigma / 2.0;

	return exp(mu + sigma * rng_normal());
}

/* ------------------------------------------------------------ workload */

struct arrival {
	double t;			/* s from the start */
	double work;			/* s on an idle server */
	uint32_t client;		/* index into clients[] */
	uint16_t port;			/* client port, host order */
};

struct workload {
	struct arrival *a;
	size_t n, cap;
	uint32_t *caddr;		/* client addresses, host order */
	uint32_t nclients, ccap;
	double duration;
};

static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lab: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		die("%s", "out of memory");
	return p;
}

static void
wl_push(struct workload *w, double t, double work, uint32_t client,
    uint16_t port)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 4096;
		w->a = xrealloc(w->a, w->cap * sizeof(*w->a));
	}
	w->a[w->n++] = (struct arrival){ t, work, client, port };
}

static uint32_t
client_addr(uint32_t i)
{
	/* 198.18.1.1 .. : 250 per /24, skipping .0 and .251-.255 */
	return 0xc6120000u + ((1 + i / 250) << 8) + 1 + i % 250;
}

static void
wl_synth(struct workload *w, const struct opts *o)
{
	double t = 0.0, on_end = 0.0;
	uint16_t *next_port;
	uint32_t i;

	rng_state = o->seed;
	w->nclients = o->clients;
	w->caddr = xrealloc(NULL, w->nclients * sizeof(*w->caddr));
	next_port = xrealloc(NULL, w->nclients * sizeof(*next_port));
	for (i = 0; i < w->nclients; i++) {
		w->caddr[i] = client_addr(i);
		next_port[i] = 1024;
	}
	if (o->wl == WL_BURSTY)
		on_end = rng_exp(o->on_mean);
	for (;;) {
		if (o->wl == WL_POISSON)
			t += rng_exp(1.0 / o->rate);
		else {
			/* on/off: during "on" arrivals come at
			 * rate * (on + off) / on, nothing during "off", so the
			 * long-run mean rate is `rate` */
			double r = o->rate * (o->on_mean + o->off_mean) /
			    o->on_mean;
			double nt = t + rng_exp(1.0 / r);

			while (nt > on_end) {
				/* skip an off period, start the next on */
				double off = rng_exp(o->off_mean);

				t = on_end + off;
				on_end = t + rng_exp(o->on_mean);
				nt = t + rng_exp(1.0 / r);
			}
			t = nt;
		}
		if (t >= o->duration)
			break;
		uint32_t c = (uint32_t)(rng_next() % w->nclients);
		double work = rng_work(o->life, o->mean_work);

		wl_push(w, t, work, c, next_port[c]);
		next_port[c] = next_port[c] == 65535 ? 1024 : next_port[c] + 1;
	}
	w->duration = o->duration;
	free(next_port);
}

static uint32_t
wl_client_of(struct workload *w, uint32_t addr)
{
	uint32_t i;

	/* traces are small (an example, or a few hundred thousand rows
	 * from one client population): a linear search over the distinct
	 * clients would be O(n * clients); keep a sorted copy instead */
	static uint32_t *sorted, *idx;
	static uint32_t nsorted, scap;
	uint32_t lo = 0, hi = nsorted;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (sorted[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < nsorted && sorted[lo] == addr)
		return idx[lo];
	if (nsorted == scap) {
		scap = scap ? 2 * scap : 1024;
		sorted = xrealloc(sorted, scap * sizeof(*sorted));
		idx = xrealloc(idx, scap * sizeof(*idx));
	}
	memmove(sorted + lo + 1, sorted + lo, (nsorted - lo) * sizeof(*sorted));
	memmove(idx + lo + 1, idx + lo, (nsorted - lo) * sizeof(*idx));
	sorted[lo] = addr;
	if (w->nclients == w->ccap) {
		w->ccap = w->ccap ? 2 * w->ccap : 1024;
		w->caddr = xrealloc(w->caddr, w->ccap * sizeof(*w->caddr));
	}
	i = w->nclients++;
	w->caddr[i] = addr;
	idx[lo] = i;
	nsorted++;
	return i;
}

static int
cmp_arrival(const void *x, const void *y)
{
	const struct arrival *a = x, *b = y;

	return (a->t > b->t) - (a->t < b->t);
}

/*
 * The recorded format (bench/lab/README.md): CSV, '#' lines and a header
 * line starting with "start" ignored; columns
 *   start,end,client[,client_port]
 * start/end in seconds (any origin, fractions allowed), client an IPv4
 * address; without a port the lab numbers each client's connections.
 */
static void
wl_read(struct workload *w, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char line[512];
	unsigned long lineno = 0;
	double t0 = 0.0, tmax = 0.0;
	uint16_t *next_port = NULL;
	uint32_t np = 0;

	if (f == NULL)
		die("cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = line, *e1, *e2, *c, *p;
		double st, en;
		struct in_addr ia;
		unsigned long port = 0;
		uint32_t ci;

		lineno++;
		s += strspn(s, " \t");
		if (*s == '#' || *s == '\n' || *s == '\0' ||
		    strncmp(s, "start", 5) == 0)
			continue;
		st = strtod(s, &e1);
		if (e1 == s || *e1 != ',')
			goto bad;
		en = strtod(e1 + 1, &e2);
		if (e2 == e1 + 1 || *e2 != ',' || en < st)
			goto bad;
		c = e2 + 1;
		p = c + strcspn(c, ",\r\n");
		if (*p == ',') {
			port = strtoul(p + 1, NULL, 10);
			if (port == 0 || port > 65535)
				goto bad;
		}
		*p = '\0';
		if (inet_pton(AF_INET, c, &ia) != 1)
			goto bad;
		ci = wl_client_of(w, ntohl(ia.s_addr));
		if (ci >= np) {
			uint32_t nn = w->ccap;

			next_port = xrealloc(next_port, nn * sizeof(*next_port));
			while (np < nn)
				next_port[np++] = 1024;
		}
		if (port == 0) {
			port = next_port[ci];
			next_port[ci] = next_port[ci] == 65535 ? 1024 :
			    next_port[ci] + 1;
		}
		wl_push(w, st, en - st, ci, (uint16_t)port);
		continue;
bad:
		fprintf(stderr, "lab: %s:%lu: expected start,end,client[,port]\n",
		    path, lineno);
		exit(1);
	}
	if (f != stdin)
		fclose(f);
	free(next_port);
	if (w->n == 0)
		die("%s: no connections", path);
	qsort(w->a, w->n, sizeof(*w->a), cmp_arrival);
	t0 = w->a[0].t;
	for (size_t i = 0; i < w->n; i++) {
		w->a[i].t -= t0;
		if (w->a[i].t > tmax)
			tmax = w->a[i].t;
	}
	w->duration = ceil(tmax) + 1.0;
}

static void
wl_dump(const struct workload *w, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		die("cannot write %s", path);
	fprintf(f, "# drlb scheduler lab workload (synthetic); bench/lab/README.md\n"
	    "start,end,client,client_port\n");
	for (size_t i = 0; i < w->n; i++) {
		uint32_t a = w->caddr[w->a[i].client];

		fprintf(f, "%.4f,%.4f,%u.%u.%u.%u,%u\n", w->a[i].t,
		    w->a[i].t + w->a[i].work, a >> 24, (a >> 16) & 255,
		    (a >> 8) & 255, a & 255, w->a[i].port);
	}
	if (fclose(f) != 0)
		die("cannot write %s", path);
}

/* ------------------------------------------------------------ end heap */

struct ending {
	double t;
	struct conn_key key;
};

struct heap {
	struct ending *e;
	size_t n, cap;
};

static void
heap_push(struct heap *h, const struct ending *x)
{
	size_t i;

	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 4096;
		h->e = xrealloc(h->e, h->cap * sizeof(*h->e));
	}
	i = h->n++;
	while (i > 0 && h->e[(i - 1) / 2].t > x->t) {
		h->e[i] = h->e[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->e[i] = *x;
}

static struct ending
heap_pop(struct heap *h)
{
	struct ending top = h->e[0], last = h->e[--h->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->e[c + 1].t < h->e[c].t)
			c++;
		if (h->e[c].t >= last.t)
			break;
		h->e[i] = h->e[c];
		i = c;
	}
	if (h->n > 0)
		h->e[i] = last;
	return top;
}

/* ------------------------------------------------------------ one run */

struct result {
	const char *sched;
	uint64_t decisions, dropped;
	double wall_s;			/* best replay with the scheduler */
	double wall_replay_s;		/* best replay of its picks, no scheduler */
	double imb_sum, imb_p95, cv_sum;
	uint32_t samples;
	/* moves: [0] the failure, [1] the return */
	uint64_t cmp[2], moved[2];
	uint64_t cmp_other, moved_other;	/* at the failure, clients that
						   were not on the failed server */
	uint64_t placed[MAX_SRV];
};

struct lab {
	const struct opts *o;
	const struct workload *w;
	struct svc_table st;
	struct conn_table *ct;
	struct svc *svc;
	int8_t *last, *before;		/* per client: server index, -1 none */
	uint8_t *seen;			/* compared since the last change */
	int phase;			/* -1 before any change, 0 failed, 1 back */
	FILE *ts;			/* NULL in the timing rounds */
	int replay;			/* timing: replay picks[], no scheduler */
	int8_t *picks;			/* per arrival: server index, -1 none */
	const struct sched_ops *real;	/* the service's scheduler ... */
	struct sched_ops nohooks;	/* ... and the same with no hooks */
};

static char apply_err[DRLB_CTL_ERRMSG_MAX];

static void
apply(struct lab *L, uint16_t op, const struct drlb_ctl_req *r)
{
	if (svc_apply(&L->st, op, r, apply_err, sizeof(apply_err)) != 0)
		die("svc_apply: %s", apply_err);
}

static void
dest_req(struct drlb_ctl_req *r, uint32_t i, int32_t weight)
{
	r->dest.af = AF_INET;
	r->dest.addr.in.s_addr = htonl(RIP_BASE + 1 + i);
	r->dest.port = VPORT;
	r->dest.conn_flags = DRLB_FWD_DROUTE;
	r->dest.weight = weight;
}

/* the daemon learns a real server's MAC by ARP; here every one answers at
 * once, as it would on a healthy segment */
static void
lab_dest_added(void *arg, struct dest *d)
{
	(void)arg;
	fx_resolve(d, NULL);
}

static int
srv_index(const struct dest *d)
{
	uint32_t a = ntohl(d->conf.addr.in.s_addr);

	return (int)(a - RIP_BASE - 1);
}

static struct dest *
find_dest(struct svc *s, uint32_t i)
{
	for (uint32_t j = 0; j < s->ndests; j++)
		if (srv_index(s->dests[j]) == (int)i)
			return s->dests[j];
	return NULL;
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* a failure or a return at the start of second `sec` */
static void
change(struct lab *L, int to_phase)
{
	const struct opts *o = L->o;
	struct drlb_ctl_req r = fx_req(IPPROTO_TCP, VPORT, o->scheds[0], 0, 0);
	uint32_t i = o->fail_srv;

	/* a timing round replays picks with the hooks off; the dest set
	 * change still goes through the scheduler, as in the daemon */
	L->svc->sched = L->real;
	if (to_phase == 0) {
		if (o->fail == FAIL_REMOVE) {
			dest_req(&r, i, 0);
			apply(L, DRLB_CTL_DEL_DEST, &r);
		} else {
			dest_req(&r, i, 0);
			apply(L, DRLB_CTL_EDIT_DEST, &r);
		}
	} else {
		dest_req(&r, i, (int32_t)(o->cap[i] * o->k));
		apply(L, o->fail == FAIL_REMOVE ? DRLB_CTL_ADD_DEST :
		    DRLB_CTL_EDIT_DEST, &r);
	}
	if (L->replay)
		L->svc->sched = &L->nohooks;
	memcpy(L->before, L->last, L->w->nclients);
	memset(L->seen, 0, L->w->nclients);
	L->phase = to_phase;
}

static struct conn_key
key_of(const struct workload *w, const struct arrival *a)
{
	struct conn_key k;

	memset(&k, 0, sizeof(k));
	k.af = AF_INET;
	k.protocol = IPPROTO_TCP;
	k.caddr.in.s_addr = htonl(w->caddr[a->client]);
	k.cport = htons(a->port);
	k.vaddr.in.s_addr = htonl(VIP);
	k.vport = htons(VPORT);
	return k;
}

static void
arrive(struct lab *L, struct result *R, const struct arrival *a,
    struct heap *ends, uint32_t now)
{
	const struct opts *o = L->o;
	struct conn_key k = key_of(L->w, a);
	size_t ai = (size_t)(a - L->w->a);
	struct dest *d;
	struct conn *c;
	double stretch, slots;
	int i;

	if (conn_lookup(L->ct, &k) != NULL) {
		/* the same client port is still in the table (a recorded
		 * trace reusing it within FIN_TIMEOUT): the daemon would
		 * see a SYN of a known flow; not a new decision */
		R->dropped++;
		return;
	}
	if (L->replay)
		d = L->picks[ai] < 0 ? NULL : find_dest(L->svc,
		    (uint32_t)L->picks[ai]);
	else {
		d = L->svc->sched->schedule(L->svc, &k);
		L->picks[ai] = d == NULL ? -1 : (int8_t)srv_index(d);
	}
	R->decisions++;
	if (d == NULL) {
		R->dropped++;
		return;
	}
	i = srv_index(d);
	slots = (double)o->cap[i] * o->k;
	stretch = ((double)d->activeconns + 1.0) / slots;
	if (stretch < 1.0)
		stretch = 1.0;
	if ((c = conn_insert(L->ct, &k, d, now)) == NULL)
		die("%s", "connection table full");
	conn_seen(L->ct, c, CONN_TCP_SYN, now);
	conn_seen(L->ct, c, CONN_TCP_ACK, now);
	heap_push(ends, &(struct ending){ a->t + a->work * stretch, k });
	R->placed[i]++;

	/* did this client change server since the last change? */
	uint32_t cl = a->client;

	if (L->phase >= 0 && !L->seen[cl] && L->before[cl] >= 0) {
		int moved = L->before[cl] != i;

		L->seen[cl] = 1;
		R->cmp[L->phase]++;
		R->moved[L->phase] += moved;
		if (L->phase == 0 && L->before[cl] != (int)o->fail_srv) {
			R->cmp_other++;
			R->moved_other += moved;
		}
	}
	L->last[cl] = (int8_t)i;
}

static void
finish(struct lab *L, const struct ending *e, uint32_t now)
{
	struct conn *c = conn_lookup(L->ct, &e->key);

	/* the client's FIN: FIN_WAIT, counted inactive, expires
	 * FIN_TIMEOUT s later through conn_expire */
	if (c != NULL && c->state == CONN_S_ESTABLISHED)
		conn_seen(L->ct, c, CONN_TCP_FIN, now);
}

/* occupancy of every server that is up; imbalance and CV over them */
static void
sample(struct lab *L, struct result *R, uint32_t sec, double *imb_hist,
    double *ring_imb, double *ring_cv)
{
	const struct opts *o = L->o;
	double occ[MAX_SRV], sum = 0, sq = 0, mx = 0, mean, imb, cv;
	uint32_t n = 0, i;

	if (L->ts == NULL)
		return;		/* a timing round */

	for (i = 0; i < o->nsrv; i++) {
		struct dest *d = find_dest(L->svc, i);

		occ[i] = -1.0;
		if (d == NULL || d->conf.weight == 0)
			continue;	/* down: not part of the balance */
		occ[i] = (double)d->activeconns / ((double)o->cap[i] * o->k);
		sum += occ[i];
		sq += occ[i] * occ[i];
		if (occ[i] > mx)
			mx = occ[i];
		n++;
	}
	mean = n ? sum / n : 0.0;
	if (mean > 0) {
		imb = mx / mean;
		cv = sqrt(fmax(0.0, sq / n - mean * mean)) / mean;
	} else {
		imb = 1.0;	/* nothing anywhere: perfectly even */
		cv = 0.0;
	}
	imb_hist[R->samples] = imb;
	R->imb_sum += imb;
	R->cv_sum += cv;
	R->samples++;
	ring_imb[sec % SMOOTH] = imb;
	ring_cv[sec % SMOOTH] = cv;

	uint32_t m = sec + 1 < SMOOTH ? sec + 1 : SMOOTH;
	double si = 0, sc = 0;

	for (i = 0; i < m; i++) {
		si += ring_imb[i];
		sc += ring_cv[i];
	}
	fprintf(L->ts, "%u,%s,%.4f,%.4f,%.4f,%.4f", sec, R->sched, imb, cv,
	    si / m, sc / m);
	for (i = 0; i < o->nsrv; i++) {
		if (occ[i] < 0)
			fprintf(L->ts, ",");
		else
			fprintf(L->ts, ",%.4f", occ[i]);
	}
	fputc('\n', L->ts);
}

static void
run_one(struct lab *L, const char *sched, struct result *R)
{
	const struct opts *o = L->o;
	const struct workload *w = L->w;
	struct drlb_ctl_req r = fx_req(IPPROTO_TCP, VPORT, sched, 0, 0);
	struct drlb_timeouts tm = { 7 * 86400, FIN_TIMEOUT, 300 };
	struct heap ends = { NULL, 0, 0 };
	uint32_t nsec = (uint32_t)ceil(w->duration), sec, i;
	double *imb_hist, ring_imb[SMOOTH], ring_cv[SMOOTH], wall0;
	size_t ai = 0;

	memset(R, 0, sizeof(*R));
	R->sched = sched;
	svc_table_init(&L->st);
	L->st.on_dest_added = lab_dest_added;
	/* every connection of the workload at once, at worst: the table
	 * allocates (and touches) all of it up front */
	if ((L->ct = conn_table_create((uint32_t)(w->n < (1u << 22) ?
	    w->n + 1024 : (1u << 22)))) == NULL)
		die("%s", "conn_table_create");
	conn_set_timeouts(L->ct, &tm);
	apply(L, DRLB_CTL_ADD_SVC, &r);
	/* added in reverse so that dests[0], the newest (IPVS list head,
	 * first in ties), is rs1 */
	for (i = o->nsrv; i-- > 0;) {
		dest_req(&r, i, (int32_t)(o->cap[i] * o->k));
		apply(L, DRLB_CTL_ADD_DEST, &r);
	}
	L->svc = L->st.head;
	sched_twos_seed(L->svc, o->seed);	/* -1 (ignored) unless twos */
	L->real = L->svc->sched;
	L->nohooks = *L->real;
	L->nohooks.dest_load_changed = NULL;
	L->nohooks.dest_changed = NULL;
	L->nohooks.tick = NULL;
	if (L->replay)
		L->svc->sched = &L->nohooks;
	memset(L->last, -1, w->nclients);
	memset(L->before, -1, w->nclients);
	memset(L->seen, 0, w->nclients);
	L->phase = -1;
	imb_hist = xrealloc(NULL, (nsec + 1) * sizeof(*imb_hist));
	memset(ring_imb, 0, sizeof(ring_imb));
	memset(ring_cv, 0, sizeof(ring_cv));

	wall0 = now_ns();
	for (sec = 0; sec < nsec; sec++) {
		uint32_t now = CLOCK_BASE + sec;

		/* the daemon's once-a-second work */
		conn_expire(L->ct, &L->st, now, 1u << 24);
		if (L->svc->sched->tick != NULL)
			L->svc->sched->tick(L->svc, now);
		if (o->fail != FAIL_NONE && sec == o->fail_at)
			change(L, 0);
		if (o->fail != FAIL_NONE && sec == o->back_at)
			change(L, 1);
		sample(L, R, sec, imb_hist, ring_imb, ring_cv);
		/* this second's arrivals and ends, in time order */
		for (;;) {
			double ta = ai < w->n ? w->a[ai].t : INFINITY;
			double te = ends.n ? ends.e[0].t : INFINITY;

			if (ta >= sec + 1.0 && te >= sec + 1.0)
				break;
			if (ta <= te)
				arrive(L, R, &w->a[ai++], &ends, now);
			else {
				struct ending e = heap_pop(&ends);

				finish(L, &e, now);
			}
		}
	}
	R->wall_s = (now_ns() - wall0) * 1e-9;
	if (R->samples > 0) {
		qsort(imb_hist, R->samples, sizeof(*imb_hist), cmp_double);
		R->imb_p95 = imb_hist[(R->samples * 95) / 100];
	}
	free(imb_hist);
	free(ends.e);
	L->svc->sched = L->real;
	conn_flush(L->ct, &L->st);
	conn_table_destroy(L->ct);
	svc_table_free(&L->st);
}

/* ------------------------------------------------------------ output */

static double
ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : NAN;
}

static void
fmt_frac(char *buf, size_t n, uint64_t a, uint64_t b)
{
	if (b == 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.3f", (double)a / (double)b);
}

/*
 * ns a decision adds to the replay: (with scheduler - replayed picks) /
 * decisions, floored at 1 ns (below that the difference is noise; with no
 * timing rounds it is unknown: NaN)
 */
static double
dec_ns(const struct result *R)
{
	double ns;

	if (R->decisions == 0 || !isfinite(R->wall_replay_s))
		return NAN;
	ns = (R->wall_s - R->wall_replay_s) * 1e9 / (double)R->decisions;
	return ns < 1.0 ? 1.0 : ns;
}

static void
write_summary(const struct lab *L, const struct result *res, uint32_t n,
    const char *path)
{
	const struct opts *o = L->o;
	FILE *f = fopen(path, "w");

	if (f == NULL)
		die("cannot write %s", path);
	fprintf(f, "sched,decisions,dropped,imbalance_mean,imbalance_p95,"
	    "cv_mean,moved_fail,moved_fail_others,moved_return,"
	    "ns_per_decision,decisions_per_s,baseline_decisions_per_s");
	for (uint32_t i = 0; i < o->nsrv; i++)
		fprintf(f, ",share_rs%u", i + 1);
	fputc('\n', f);
	for (uint32_t j = 0; j < n; j++) {
		const struct result *R = &res[j];
		double ns = dec_ns(R);
		uint64_t placed = R->decisions - R->dropped;
		fprintf(f, "%s,%llu,%llu,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.1f,"
		    "%.0f,%.0f", R->sched, (unsigned long long)R->decisions,
		    (unsigned long long)R->dropped, R->imb_sum / R->samples,
		    R->imb_p95, R->cv_sum / R->samples,
		    ratio(R->moved[0], R->cmp[0]),
		    ratio(R->moved_other, R->cmp_other),
		    ratio(R->moved[1], R->cmp[1]), ns,
		    R->decisions / R->wall_s, R->decisions / R->wall_replay_s);
		for (uint32_t i = 0; i < o->nsrv; i++)
			fprintf(f, ",%.4f", ratio(R->placed[i], placed));
		fputc('\n', f);
	}
	if (fclose(f) != 0)
		die("cannot write %s", path);
}

static void
print_summary(const struct lab *L, const struct result *res, uint32_t n)
{
	const struct opts *o = L->o;

	printf("%-6s %8s %7s %7s %7s %6s %8s %8s %8s %8s\n", "sched",
	    "conns", "dropped", "imb", "imb95", "cv", "mv_fail", "mv_other",
	    "mv_back", "ns/dec");
	for (uint32_t j = 0; j < n; j++) {
		const struct result *R = &res[j];
		char a[16], b[16], c[16];

		fmt_frac(a, sizeof(a), R->moved[0], R->cmp[0]);
		fmt_frac(b, sizeof(b), R->moved_other, R->cmp_other);
		fmt_frac(c, sizeof(c), R->moved[1], R->cmp[1]);
		printf("%-6s %8llu %7llu %7.2f %7.2f %6.2f %8s %8s %8s %8.1f\n",
		    R->sched, (unsigned long long)(R->decisions - R->dropped),
		    (unsigned long long)R->dropped, R->imb_sum / R->samples,
		    R->imb_p95, R->cv_sum / R->samples, a, b, c,
		    dec_ns(R));
	}
	(void)o;
}

/*
 * plot.gp: gnuplot script for the PNGs (bench/lab/run.sh runs it when
 * gnuplot is there).  Written here because only the lab knows the
 * scheduler list and the change times.
 */
static void
write_plot(const struct lab *L, const char *path)
{
	const struct opts *o = L->o;
	const char *title = o->title ? o->title : "workload";
	FILE *f = fopen(path, "w");
	uint32_t j, half = (o->nscheds + 1) / 2;

	if (f == NULL)
		die("cannot write %s", path);
	fprintf(f, "# generated by build/bench/lab; run: gnuplot plot.gp\n"
	    "set datafile separator ','\n"
	    "set terminal pngcairo size 1200,800 font 'sans,10'\n"
	    "set key outside right top\n"
	    "set grid\n");
	/* failure window shading */
	if (o->fail != FAIL_NONE)
		fprintf(f, "set object 1 rect from %u, graph 0 to %u, graph 1 "
		    "behind fc rgb '#f2dede' fs solid 1.0 noborder\n"
		    "set label 1 'rs%u %s' at %u, graph 0.97 offset 0.5,0 "
		    "front\n", o->fail_at, o->back_at, o->fail_srv + 1,
		    o->fail == FAIL_REMOVE ? "removed" : "weight 0",
		    o->fail_at);
	fprintf(f, "set output 'imbalance.png'\n"
	    "set multiplot layout 2,1 title \"%s: load imbalance over time "
	    "(max/mean of active conns / capacity, %u s moving average)\"\n"
	    "set xlabel 'time (s)'\n"
	    "set ylabel 'max / mean occupancy'\n"
	    "set yrange [0.9:*]\n",
	    title, SMOOTH);
	for (int panel = 0; panel < 2; panel++) {
		uint32_t from = panel ? half : 0, to = panel ? o->nscheds : half;

		fprintf(f, "plot ");
		for (j = from; j < to; j++)
			fprintf(f, "%s'timeseries.csv' using 1:(strcol(2) eq '%s' "
			    "? $5 : NaN) with lines lw 2 title '%s'",
			    j > from ? ", \\\n     " : "", o->scheds[j],
			    o->scheds[j]);
		fprintf(f, "\n");
	}
	fprintf(f, "unset multiplot\n");

	fprintf(f, "set output 'cv.png'\n"
	    "set multiplot layout 2,1 title \"%s: coefficient of variation "
	    "of occupancy (active conns / capacity, %u s moving average)\"\n"
	    "set ylabel 'CV (stddev / mean)'\n"
	    "set yrange [0:*]\n", title, SMOOTH);
	for (int panel = 0; panel < 2; panel++) {
		uint32_t from = panel ? half : 0, to = panel ? o->nscheds : half;

		fprintf(f, "plot ");
		for (j = from; j < to; j++)
			fprintf(f, "%s'timeseries.csv' using 1:(strcol(2) eq '%s' "
			    "? $6 : NaN) with lines lw 2 title '%s'",
			    j > from ? ", \\\n     " : "", o->scheds[j],
			    o->scheds[j]);
		fprintf(f, "\n");
	}
	fprintf(f, "unset multiplot\n");

	/* summary bars */
	fprintf(f, "unset object 1\nunset label 1\n"
	    "set output 'summary.png'\n"
	    "set terminal pngcairo size 1200,560 font 'sans,10'\n"
	    "set title \"%s\\nmean imbalance (left axis) and clients moved "
	    "by the change (right axis)\"\n"
	    "set style data histograms\n"
	    "set style histogram clustered gap 1\n"
	    "set style fill solid 0.8 border -1\n"
	    "set boxwidth 0.9\n"
	    "set xlabel 'scheduler'\n"
	    "set ylabel 'mean max/mean occupancy'\n"
	    "set y2label 'fraction of returning clients on another server'\n"
	    "set yrange [0:*]\nset y2range [0:1]\nset ytics nomirror\n"
	    "set y2tics 0.1\nset key outside bottom center horizontal\n"
	    "set xtics nomirror\n",
	    title);
	if (o->fail != FAIL_NONE)
		fprintf(f, "plot 'summary.csv' skip 1 using 4:xtic(1) title 'imbalance "
		    "(mean)' axes x1y1 lc rgb '#4477aa', \\\n"
		    "     '' skip 1 using 5 title 'imbalance (p95)' axes x1y1 lc rgb "
		    "'#88ccee', \\\n"
		    "     '' skip 1 using 8 title 'moved at failure, clients not on "
		    "rs%u' axes x1y2 lc rgb '#cc6677', \\\n"
		    "     '' skip 1 using 9 title 'moved at return' axes x1y2 lc rgb "
		    "'#ddcc77'\n", o->fail_srv + 1);
	else
		fprintf(f, "plot 'summary.csv' skip 1 using 4:xtic(1) title 'imbalance "
		    "(mean)' lc rgb '#4477aa', \\\n"
		    "     '' skip 1 using 5 title 'imbalance (p95)' lc rgb '#88ccee'\n");

	fprintf(f, "set output 'decisions.png'\n"
	    "unset y2label\nunset y2tics\nset ytics mirror\n"
	    "set title \"%s\\nnew connections per second through the lab's "
	    "replay: the scheduler, the connection table and the workload model "
	    "(this machine, best of the timing rounds)\"\n"
	    "set ylabel 'million decisions / s'\n"
	    "set yrange [0:*]\n"
	    "plot 'summary.csv' skip 1 using ($11/1e6):xtic(1) title "
	    "'replay with the scheduler' lc rgb '#117733', \\\n"
	    "     '' skip 1 using ($12/1e6) title 'the same picks replayed, "
	    "no scheduler (baseline)' lc rgb '#999933'\n", title);
	if (fclose(f) != 0)
		die("cannot write %s", path);
}

/* ------------------------------------------------------------ main */

static void
usage(FILE *f)
{
	fprintf(f,
"usage: lab [options]\n"
"  -w, --workload poisson|bursty|FILE.csv   (default poisson)\n"
"  -s, --sched LIST        comma-separated (default: all 14)\n"
"  -o, --out DIR           where the CSVs and plot.gp go (default .)\n"
"      --seed N            (default 1)\n"
"      --duration S        synthetic length, s (default 600)\n"
"      --rate R            mean arrivals per s (default 40)\n"
"      --life lognormal|pareto   work distribution (default lognormal)\n"
"      --mean-work S       mean work per connection, s (default 2)\n"
"      --on S --off S      bursty: mean on / off period (default 5 / 10)\n"
"      --clients N         client population (default 3000)\n"
"      --caps C1,C2,...    real servers' capacities = weights (default 4,2,1)\n"
"      --slots K           workers per unit of capacity (default 16)\n"
"      --fail N@T1-T2      real server N (1-based) fails at T1 s, back at T2\n"
"      --fail-mode remove|weight0   (default remove)\n"
"      --dump FILE         write the workload as a trace CSV and exit\n"
"      --rounds N          timing rounds per scheduler, best kept (default 3)\n"
"      --title TEXT        title of the plots\n");
}

static void
parse_list(struct opts *o, char *s)
{
	char *tok, *save = NULL;

	o->nscheds = 0;
	for (tok = strtok_r(s, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (sched_find(tok) == NULL)
			die("unknown scheduler %s", tok);
		if (o->nscheds == N_ALL)
			die("%s", "too many schedulers");
		o->scheds[o->nscheds++] = tok;
	}
	if (o->nscheds == 0)
		die("%s", "empty scheduler list");
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "workload", required_argument, NULL, 'w' },
		{ "sched", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 1 },
		{ "duration", required_argument, NULL, 2 },
		{ "rate", required_argument, NULL, 3 },
		{ "life", required_argument, NULL, 4 },
		{ "mean-work", required_argument, NULL, 5 },
		{ "on", required_argument, NULL, 6 },
		{ "off", required_argument, NULL, 7 },
		{ "clients", required_argument, NULL, 8 },
		{ "caps", required_argument, NULL, 9 },
		{ "slots", required_argument, NULL, 10 },
		{ "fail", required_argument, NULL, 11 },
		{ "fail-mode", required_argument, NULL, 12 },
		{ "dump", required_argument, NULL, 13 },
		{ "title", required_argument, NULL, 14 },
		{ "rounds", required_argument, NULL, 15 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.wl = WL_POISSON, .life = LIFE_LOGNORMAL, .duration = 600,
		.rate = 40, .mean_work = 2, .on_mean = 5, .off_mean = 10,
		.clients = 3000, .seed = 1, .nsrv = 3, .cap = { 4, 2, 1 },
		.k = 16, .outdir = ".", .rounds = 3,
	};
	struct workload w;
	struct lab L;
	struct result *res;
	char path[4096];
	int c;

	memset(&w, 0, sizeof(w));
	for (c = 0; c < (int)N_ALL; c++)
		o.scheds[c] = all_scheds[c];
	o.nscheds = N_ALL;
	while ((c = getopt_long(argc, argv, "w:s:o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'w':
			if (strcmp(optarg, "poisson") == 0)
				o.wl = WL_POISSON;
			else if (strcmp(optarg, "bursty") == 0)
				o.wl = WL_BURSTY;
			else {
				o.wl = WL_TRACE;
				o.trace = optarg;
			}
			break;
		case 's': parse_list(&o, optarg); break;
		case 'o': o.outdir = optarg; break;
		case 1: o.seed = strtoull(optarg, NULL, 0); break;
		case 2: o.duration = atof(optarg); break;
		case 3: o.rate = atof(optarg); break;
		case 4:
			if (strcmp(optarg, "pareto") == 0)
				o.life = LIFE_PARETO;
			else if (strcmp(optarg, "lognormal") == 0)
				o.life = LIFE_LOGNORMAL;
			else
				die("--life %s: lognormal or pareto", optarg);
			break;
		case 5: o.mean_work = atof(optarg); break;
		case 6: o.on_mean = atof(optarg); break;
		case 7: o.off_mean = atof(optarg); break;
		case 8: o.clients = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 9: {
			char *s = optarg, *e;

			o.nsrv = 0;
			while (*s && o.nsrv < MAX_SRV) {
				unsigned long v = strtoul(s, &e, 10);

				if (e == s || v == 0 || v > 1000)
					die("--caps %s: integers 1..1000", optarg);
				o.cap[o.nsrv++] = (uint32_t)v;
				s = *e == ',' ? e + 1 : e;
				if (*e != ',' && *e != '\0')
					die("--caps %s: integers 1..1000", optarg);
			}
			break;
		}
		case 10: o.k = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 11: {
			unsigned n, t1, t2;

			if (sscanf(optarg, "%u@%u-%u", &n, &t1, &t2) != 3 ||
			    n == 0 || t2 <= t1)
				die("--fail %s: N@T1-T2", optarg);
			o.fail_srv = n - 1;
			o.fail_at = t1;
			o.back_at = t2;
			if (o.fail == FAIL_NONE)
				o.fail = FAIL_REMOVE;
			break;
		}
		case 12:
			if (strcmp(optarg, "remove") == 0)
				o.fail = FAIL_REMOVE;
			else if (strcmp(optarg, "weight0") == 0)
				o.fail = FAIL_WEIGHT0;
			else
				die("--fail-mode %s: remove or weight0", optarg);
			break;
		case 13: o.dump = optarg; break;
		case 14: o.title = optarg; break;
		case 15: o.rounds = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (o.fail != FAIL_NONE && o.back_at == 0)
		die("%s", "--fail-mode needs --fail N@T1-T2");
	if (o.fail != FAIL_NONE && o.fail_srv >= o.nsrv)
		die("%s", "--fail: no such real server");
	if (o.rate <= 0 || o.duration <= 0 || o.mean_work <= 0 || o.k == 0 ||
	    o.clients == 0 || o.on_mean <= 0 || o.off_mean < 0)
		die("%s", "rates, durations, --slots and --clients must be > 0");

	if (o.wl == WL_TRACE)
		wl_read(&w, o.trace);
	else
		wl_synth(&w, &o);
	if (o.dump != NULL) {
		wl_dump(&w, o.dump);
		fprintf(stderr, "lab: %zu connections, %u clients -> %s\n",
		    w.n, w.nclients, o.dump);
		return 0;
	}
	if (o.fail != FAIL_NONE && o.back_at >= w.duration)
		die("%s", "--fail: T2 is past the end of the workload");

	memset(&L, 0, sizeof(L));
	L.o = &o;
	L.w = &w;
	L.last = xrealloc(NULL, w.nclients);
	L.before = xrealloc(NULL, w.nclients);
	L.seen = xrealloc(NULL, w.nclients);
	L.picks = xrealloc(NULL, w.n + 1);
	if (mkdir(o.outdir, 0755) != 0 && errno != EEXIST)
		die("cannot create %s", o.outdir);
	snprintf(path, sizeof(path), "%s/timeseries.csv", o.outdir);
	if ((L.ts = fopen(path, "w")) == NULL)
		die("cannot write %s", path);
	fprintf(L.ts, "t,sched,imbalance,cv,imbalance_avg%u,cv_avg%u", SMOOTH,
	    SMOOTH);
	for (uint32_t i = 0; i < o.nsrv; i++)
		fprintf(L.ts, ",occ_rs%u", i + 1);
	fputc('\n', L.ts);

	printf("# lab: %s, %zu connections from %u clients over %.0f s, "
	    "capacities", o.title ? o.title : (o.trace ? o.trace :
	    o.wl == WL_BURSTY ? "bursty" : "poisson"), w.n, w.nclients,
	    w.duration);
	for (uint32_t i = 0; i < o.nsrv; i++)
		printf("%s%u", i ? ":" : " ", o.cap[i]);
	printf(", %u slots per unit, seed %llu", o.k,
	    (unsigned long long)o.seed);
	if (o.fail != FAIL_NONE)
		printf(", rs%u %s at %u s, back at %u s", o.fail_srv + 1,
		    o.fail == FAIL_REMOVE ? "removed" : "weight 0", o.fail_at,
		    o.back_at);
	printf("\n");

	res = xrealloc(NULL, o.nscheds * sizeof(*res));
	for (uint32_t j = 0; j < o.nscheds; j++) {
		struct result tmp;

		/* the measured run: metrics, time series, picks[] */
		L.replay = 0;
		run_one(&L, o.scheds[j], &res[j]);
		/* decision cost as in sched_bench: the same replay with the
		 * scheduler, and with its recorded picks and no scheduler
		 * hooks (the connection-table and workload work alone);
		 * best of `rounds` each, no time series */
		res[j].wall_replay_s = INFINITY;
		for (uint32_t k = 0; k < o.rounds; k++) {
			FILE *ts = L.ts;

			L.ts = NULL;
			run_one(&L, o.scheds[j], &tmp);
			res[j].wall_s = fmin(res[j].wall_s, tmp.wall_s);
			L.replay = 1;
			run_one(&L, o.scheds[j], &tmp);
			res[j].wall_replay_s = fmin(res[j].wall_replay_s,
			    tmp.wall_s);
			L.replay = 0;
			L.ts = ts;
		}
	}
	if (fclose(L.ts) != 0)
		die("%s", "cannot write timeseries.csv");
	print_summary(&L, res, o.nscheds);
	snprintf(path, sizeof(path), "%s/summary.csv", o.outdir);
	write_summary(&L, res, o.nscheds, path);
	snprintf(path, sizeof(path), "%s/plot.gp", o.outdir);
	write_plot(&L, path);
	free(res);
	free(L.last);
	free(L.before);
	free(L.seen);
	free(L.picks);
	free(w.a);
	free(w.caddr);
	return 0;
}
