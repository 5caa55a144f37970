/* LD_PRELOAD shim for tests/faults.rs: makes fsync, fdatasync or rename fail with EIO
 * while a flag file exists, so the tests can inject faults the kernel offers no other
 * way to produce. Loaded only into the test's own child processes; the library itself
 * has no hook for this.
 *
 * CG_SHIM_FLAG_DIR names a folder; the file "fail-fsync" in it arms fsync and fdatasync,
 * "fail-rename" arms rename. Each injected failure appends one byte to "injected". */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int armed(const char *what) {
    const char *dir = getenv("CG_SHIM_FLAG_DIR");
    char path[4096];
    if (dir == NULL) return 0;
    snprintf(path, sizeof path, "%s/%s", dir, what);
    if (access(path, F_OK) != 0) return 0;
    snprintf(path, sizeof path, "%s/injected", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
        (void)!write(fd, "x", 1);
        close(fd);
    }
    return 1;
}

int fsync(int fd) {
    static int (*real)(int);
    if (armed("fail-fsync")) { errno = EIO; return -1; }
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (armed("fail-fsync")) { errno = EIO; return -1; }
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    return real(fd);
}

int rename(const char *from, const char *to) {
    static int (*real)(const char *, const char *);
    if (armed("fail-rename")) { errno = EIO; return -1; }
    if (!real) real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    return real(from, to);
}
