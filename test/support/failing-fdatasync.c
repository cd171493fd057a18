/*
 * A disk that refuses to flush, for test/gateway/wal-flush-failure.test.ts: loaded with LD_PRELOAD
 * into a real gateway process, it makes fdatasync(2) of any file whose name ends in "-wal" fail
 * with EIO while the file named by HCP_TEST_FDATASYNC_FAILS exists. Every other call goes to the
 * C library. The gateway's code has no hook for this: it meets the failure where a broken disk
 * would put it (libuv's fdatasync on the thread pool, gateway/store/wal-sync.ts).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int names_a_wal(int fd) {
  char link[64];
  char target[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n < 4) return 0;
  target[n] = '\0';
  return strcmp(target + n - 4, "-wal") == 0;
}

int fdatasync(int fd) {
  static int (*real_fdatasync)(int);
  if (!real_fdatasync) real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  const char *switch_file = getenv("HCP_TEST_FDATASYNC_FAILS");
  if (switch_file && access(switch_file, F_OK) == 0 && names_a_wal(fd)) {
    errno = EIO;
    return -1;
  }
  return real_fdatasync(fd);
}
