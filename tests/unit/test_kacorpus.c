/*
 * The keepalived.conf corpus (tests/keepalived/NAME.conf, the shapes real
 * DR deployments use; SOURCES says which): each file is read as drlbd
 * --keepalived-config reads it, applied to a service table, and what
 * `drlbadm -S -n` would print of that table must be NAME.expect -- what
 * keepalived hands IPVS for the same file, every real server up.
 * Includes are resolved relative to each file, as keepalived does.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drlb/cmd.h"
#include "expect.h"
#include "kaconf.h"
#include "list.h"
#include "svc.h"

#define CORPUS "tests/keepalived"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *b = NULL;
	size_t cap = 0;

	*len = 0;
	if (f == NULL)
		return NULL;
	for (;;) {
		if (*len + 4096 > cap) {
			char *nb = realloc(b, cap = *len + 65536);

			if (nb == NULL)
				break;
			b = nb;
		}
		size_t n = fread(b + *len, 1, cap - *len - 1, f);

		if (n == 0)
			break;
		*len += n;
	}
	fclose(f);
	if (b != NULL)
		b[*len] = '\0';
	return b;
}

static void
one(const char *conf)
{
	struct kaconf k;
	struct svc_table t;
	struct list_table lt;
	char err[1024], what[1100], expect[512];
	char *out = NULL, *want;
	size_t outlen = 0, wantlen;
	void *body;
	uint32_t blen;
	FILE *f;

	snprintf(expect, sizeof(expect), "%.*s.expect",
	    (int)(strlen(conf) - 5), conf);
	snprintf(what, sizeof(what), "%s: loads", conf);
	if (kaconf_parse_file(conf, &k, err, sizeof(err)) != 0) {
		EXPECT_STR(err, "", what);
		return;
	}
	for (uint32_t i = 0; i < k.nwarn && i < 256; i++)
		printf("# %s\n", k.warn[i]);
	svc_table_init(&t);
	if (kaconf_to_table(&k, conf, &t, err, sizeof(err)) != 0) {
		EXPECT_STR(err, "", what);
		goto out;
	}
	EXPECT(1, what);
	if (svc_serialize(&t, &body, &blen) != 0 ||
	    list_table_decode(&lt, body, blen) != 0) {
		EXPECT(0, "serialize");
		goto out;
	}
	free(body);
	if ((f = open_memstream(&out, &outlen)) == NULL)
		abort();
	list_save(f, &lt, DRLB_OPT_NUMERIC);
	fclose(f);
	list_table_free(&lt);
	want = slurp(expect, &wantlen);
	snprintf(what, sizeof(what), "%s: drlbadm -S -n is %s", conf, expect);
	if (want == NULL || strcmp(want, out) != 0) {
		printf("# got:\n%s# want:\n%s", out, want ? want : "(no file)\n");
		if (getenv("KACORPUS_WRITE") != NULL && (f = fopen(expect,
		    "w")) != NULL) {
			fputs(out, f);
			fclose(f);
		}
	}
	EXPECT(want != NULL && strcmp(want, out) == 0, what);
	free(want);
	free(out);
out:
	svc_table_free(&t);
	kaconf_free(&k);
}

int
main(void)
{
	glob_t g;

	if (glob(CORPUS "/*.conf", 0, NULL, &g) != 0) {
		EXPECT(0, "the corpus is there (run from the source tree)");
		return EXPECT_DONE();
	}
	EXPECT(g.gl_pathc >= 25, "at least 25 files in the corpus");
	for (size_t i = 0; i < g.gl_pathc; i++)
		one(g.gl_pathv[i]);
	globfree(&g);
	return EXPECT_DONE();
}
