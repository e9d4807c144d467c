/*
** Files. Reading is done here, not by libxml2, so that no URL, catalog or
** transparent gzip/xz decompression is ever involved and the size cap holds
** before a byte is parsed. Writing is atomic: a crash or a full disk leaves
** either the old file or the new one, never half of one.
*/
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
** The file, a chunk at a time (AXL_CHUNK bytes, the first one filled whole
** for the pre-scans of the first bytes): it is pre-scanned and parsed as it
** is read, so that no more than a chunk of it is held at once. No mmap: a
** file truncated meanwhile would raise SIGBUS. At most its size at the
** fstat plus one byte is read: a file that grows meanwhile is refused, so
** max_bytes holds whatever happens to it.
*/
typedef struct file_source {
  int fd;
  size_t size;            /* at the fstat, within max_bytes */
  size_t got;             /* bytes read so far */
  char buf[AXL_CHUNK];
} file_source;

static const char *file_next(void *ud, const char **chunk, size_t *len) {
  file_source *f = ud;
  size_t n = 0;
  while (n < sizeof f->buf) {
    size_t want = sizeof f->buf - n;
    ssize_t r;
    if (want > f->size + 1 - f->got) want = f->size + 1 - f->got;
    r = read(f->fd, f->buf + n, want);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return "read error";
    if (r == 0) break;
    n += (size_t)r;
    f->got += (size_t)r;
    if (f->got > f->size) return "file changed while being read";
  }
  *chunk = f->buf;
  *len = n;
  return NULL;
}

axl_message *axl_read(const char *path, const axl_limits *limits,
                      axl_error *err) {
  axl_limits lim;
  size_t cap;
  struct stat st;
  file_source *f;
  axl_source src;
  axl_message *m;
  /* O_NONBLOCK: opening a FIFO must not hang; it is refused below. */
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  axl_error_clear(err);
  axl_limits_resolve(&lim, limits);
  cap = lim.max_bytes;
  if (fd < 0) {
    axl_error_set(err, "AXL-P14", 0, errno == ENOENT ? "file not found"
                  : errno == EACCES ? "permission denied"
                  : "cannot open file");
    return NULL;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    axl_error_set(err, "AXL-P14", 0, "not a regular file");
    return NULL;
  }
  if ((unsigned long long)st.st_size > cap) {
    close(fd);
    axl_error_limit(err, "AXL-P03", 0, "max_bytes", (double)cap,
                    (double)st.st_size, 0);
    return NULL;
  }
  f = malloc(sizeof *f);
  if (!f) {
    close(fd);
    axl_error_set(err, "AXL-P15", 0, "out of memory");
    return NULL;
  }
  f->fd = fd;
  f->size = (size_t)st.st_size;
  f->got = 0;
  src.next = file_next;
  src.ud = f;
  m = axl_parse_source(&src, f->size, limits, err);
  free(f);
  close(fd);
  return m;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Splits path into its directory (for the temp file and the dir fsync). */
static void dir_of(const char *path, char *dir, size_t size) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  snprintf(dir, size, "%s", dirname(tmp));
}

int axl_write_file(const char *path, const char *bytes, size_t len,
                   axl_error *err) {
  char target[4096], dir[4096], tmp[4200];
  struct stat st;
  int have_target, fd = -1, dfd;
  static unsigned counter;
  axl_error_clear(err);
  if (strlen(path) >= sizeof target) {
    axl_error_set(err, "AXL-W01", 0, "path too long");
    return -1;
  }
  /* Writing through a symlink replaces the file it points at. */
  if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
    if (!realpath(path, target)) {
      axl_error_set(err, "AXL-W01", 0, "cannot resolve link");
      return -1;
    }
  } else {
    snprintf(target, sizeof target, "%s", path);
  }
  have_target = stat(target, &st) == 0;
  if (have_target && !S_ISREG(st.st_mode)) {
    axl_error_set(err, "AXL-W01", 0, "target is not a regular file");
    return -1;
  }
  dir_of(target, dir, sizeof dir);
  for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
    snprintf(tmp, sizeof tmp, "%s/.axlink-%ld-%u-%ld.tmp", dir, (long)getpid(),
             __sync_add_and_fetch(&counter, 1), (long)time(NULL));
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    axl_error_set(err, "AXL-W01", 0, "cannot create a temporary file beside "
                  "the target");
    return -1;
  }
  if ((have_target && fchmod(fd, st.st_mode & 07777) != 0) ||
      write_all(fd, bytes, len) != 0) {
    close(fd);
    unlink(tmp);
    axl_error_set(err, "AXL-W02", 0, "write failed");
    return -1;
  }
  if (fsync(fd) != 0) {
    close(fd);
    unlink(tmp);
    axl_error_set(err, "AXL-W03", 0, "fsync failed");
    return -1;
  }
  if (close(fd) != 0) {
    unlink(tmp);
    axl_error_set(err, "AXL-W02", 0, "write failed");
    return -1;
  }
  if (rename(tmp, target) != 0) {
    unlink(tmp);
    axl_error_set(err, "AXL-W04", 0, "rename failed");
    return -1;
  }
  /* The rename itself is durable only once the directory is synced. */
  dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return 0;
}
