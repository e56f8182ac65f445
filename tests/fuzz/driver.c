/*
 * Replays inputs through a fuzz target without libFuzzer (any compiler):
 *   fuzz_X FILE|DIR...
 * Prints "ok - fuzz_X replays N inputs" (a crash or sanitizer report fails).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int
replay(const char *path, unsigned *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0) {
		perror(path);
		return -1;
	}
	rewind(f);
	/* exactly len bytes, as libFuzzer hands an input over: a read past
	 * its end is a heap overflow */
	buf = malloc((size_t)len);
	if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		perror(path);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	(*n)++;
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned n = 0;
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	char corpus[256], regress[256];
	char *defaults[3];

	/* no arguments: the committed corpus and regression inputs of this
	 * target ("replay_fuzz_X" -> tests/fuzz/{corpus,regress}/fuzz_X) */
	if (argc == 1) {
		const char *t = strncmp(name, "replay_", 7) == 0 ? name + 7 : name;

		snprintf(corpus, sizeof(corpus), "tests/fuzz/corpus/%s", t);
		snprintf(regress, sizeof(regress), "tests/fuzz/regress/%s", t);
		defaults[0] = argv[0];
		defaults[1] = corpus;
		defaults[2] = regress;
		argv = defaults;
		argc = 3;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st) != 0)
			continue;		/* no regressions yet: fine */
		if (!S_ISDIR(st.st_mode)) {
			if (replay(argv[i], &n) < 0)
				return 1;
			continue;
		}
		if ((d = opendir(argv[i])) == NULL)
			return 1;
		while ((e = readdir(d)) != NULL) {
			char p[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", argv[i], e->d_name);
			if (replay(p, &n) < 0)
				return 1;
		}
		closedir(d);
	}
	printf("ok - %s replays %u corpus and regression inputs\n", name, n);
	return 0;
}
