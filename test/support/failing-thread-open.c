/*
 * A database file that a second thread cannot open, for test/gateway/wal-checkpointer-failure.test.ts:
 * loaded with LD_PRELOAD into a real gateway process, it makes open(2) of a path ending in
 * "/gateway.db" fail with EACCES on any thread but the process's main one. The store's own
 * connection (main thread) opens it as usual; the checkpointing thread's connection cannot, and the
 * gateway meets that where a real failure would put it. Every other call goes to the C library.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int refused(const char *path) {
  size_t n = strlen(path);
  const char *name = "/gateway.db";
  size_t k = strlen(name);
  return n >= k && strcmp(path + n - k, name) == 0 && syscall(SYS_gettid) != getpid();
}

#define OPEN_SHIM(fn)                                                   \
  int fn(const char *path, int flags, ...) {                            \
    static int (*real)(const char *, int, ...);                         \
    if (!real) real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, #fn); \
    mode_t mode = 0;                                                    \
    if (flags & (O_CREAT | O_TMPFILE)) {                                \
      va_list ap;                                                       \
      va_start(ap, flags);                                              \
      mode = va_arg(ap, mode_t);                                        \
      va_end(ap);                                                       \
    }                                                                   \
    if (refused(path)) {                                                \
      errno = EACCES;                                                   \
      return -1;                                                        \
    }                                                                   \
    return real(path, flags, mode);                                     \
  }

OPEN_SHIM(open)
OPEN_SHIM(open64)
