/* One drlbd per interface; see instance.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "instance.h"

static void
instance_update(int fd, const char *socket_path)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "%ld %s\n", (long)getpid(),
	    socket_path);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return;
	if (ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, buf, (size_t)n, 0);
}

/*
 * Lock files no drlbd holds (one that ended as an unprivileged user cannot
 * remove its own, and namespaces come and go): removed, at most a bounded
 * number of them.  Safe beside a drlbd starting now: one that locked a file
 * as it went sees it gone from the path and tries again.
 */
static void
sweep(void)
{
	DIR *dir = opendir(INSTANCE_LOCK_DIR);
	struct dirent *e;
	int seen = 0;

	if (dir == NULL)
		return;
	while ((e = readdir(dir)) != NULL && seen++ < 4096) {
		char path[512];
		int fd;

		if (strncmp(e->d_name, "lock.", 5) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", INSTANCE_LOCK_DIR,
		    e->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			unlink(path);
		close(fd);
	}
	closedir(dir);
}

int
instance_lock(const char *ifname, const char *socket_path, char *msg,
    size_t len)
{
	char path[128], who[256];
	struct stat ns;
	ssize_t n;
	int fd;

	/* interfaces are per network namespace: so are directors */
	if (stat("/proc/self/ns/net", &ns) < 0)
		ns.st_ino = 0;
	if (mkdir(INSTANCE_LOCK_DIR, 0755) < 0 && errno != EEXIST) {
		snprintf(msg, len, "mkdir %s: %s", INSTANCE_LOCK_DIR,
		    strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/lock.%lu.%s", INSTANCE_LOCK_DIR,
	    (unsigned long)ns.st_ino, ifname);
	sweep();
	/* a drlbd that ends removes its lock file (instance_unlock): a file
	 * locked just as it went is no longer the one at path; try again */
	for (int tries = 0; tries < 8; tries++) {
		struct stat a, b;

		if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		    0644)) < 0) {
			snprintf(msg, len, "%s: %s", path, strerror(errno));
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			/* held: by a drlbd, or for a moment by another's
			 * sweep; a drlbd does not let go within 30 ms */
			if (errno != EWOULDBLOCK || tries >= 3)
				break;
			close(fd);
			fd = -1;
			usleep(10000);
			continue;
		}
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
			instance_update(fd, socket_path);
			return fd;
		}
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		snprintf(msg, len, "%s: keeps going away", path);
		return -1;
	}
	if (errno != EWOULDBLOCK) {
		snprintf(msg, len, "lock %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	n = pread(fd, who, sizeof(who) - 1, 0);
	who[n > 0 ? n : 0] = '\0';
	who[strcspn(who, "\n")] = '\0';
	close(fd);
	{
		long pid = 0;
		char sock[200] = "";

		if (sscanf(who, "%ld %199s", &pid, sock) >= 1)
			snprintf(msg, len, "another drlbd (pid %ld, control "
			    "socket %s) already directs on %s: two would send "
			    "every frame to the real servers twice", pid,
			    sock[0] ? sock : "?", ifname);
		else
			snprintf(msg, len, "another drlbd already directs on %s "
			    "(%s is locked)", ifname, path);
	}
	return -1;
}

void
instance_unlock(int fd, const char *ifname)
{
	char path[128];
	struct stat ns;

	if (fd < 0)
		return;
	if (stat("/proc/self/ns/net", &ns) < 0)
		ns.st_ino = 0;
	/* still held: no other drlbd can be using the file now (as an
	 * unprivileged user we may not: the next drlbd's sweep does) */
	snprintf(path, sizeof(path), "%s/lock.%lu.%s", INSTANCE_LOCK_DIR,
	    (unsigned long)ns.st_ino, ifname);
	unlink(path);
	close(fd);
}
