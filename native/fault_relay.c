/*
 * Native relay: the fast path for connections that no fault can touch.
 *
 * A TCP mapping connection that starts while no fault is active never gets one later (faults
 * attach when a connection starts), so relaying its bytes through JavaScript only costs: every
 * chunk crosses libuv, V8 and the stream machinery twice. Here the shard hands both sockets
 * over (we dup the fds, Node closes its copies) and one relay thread per shard moves the bytes
 * with read/write on an epoll loop, the way a C proxy would.
 *
 * What it keeps from the JavaScript relay: bytes are never reordered or dropped; a FIN from one
 * side becomes a FIN to the other once everything before it was written (half-close); a reset
 * or write error on one side resets the other (SO_LINGER 0); backpressure: a side is not read
 * while what was read from it is still waiting to be written.
 *
 * JavaScript learns about finished connections by polling collect(): no threadsafe function,
 * nothing that can keep a worker alive or call into a dying environment.
 */
#include "fault_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* One read moves at most this much; shared by all connections of a relay thread. */
#define SCRATCH_BYTES (256 * 1024)
/* What one splice may move: the pipe's size (asked for; the kernel may grant less). */
#define PIPE_BYTES (1024 * 1024)
#define MAX_EVENTS 256

typedef struct pair pair_t;

/* One epoll registration: which pair, and which of its two sockets. */
typedef struct {
  pair_t *pair;
  int side; /* 0 = client socket, 1 = upstream socket */
} endpoint_t;

/* Bytes read from fd[side] on their way to fd[1 - side]. */
typedef struct {
  char *pending; /* read but not yet written (only after a short write) */
  size_t pending_off, pending_len;
  uint64_t bytes;
  bool read_eof; /* the source sent its FIN */
  bool shut;     /* the FIN was passed on (shutdown of the destination's write side) */
} direction_t;

struct pair {
  int fd[2];
  endpoint_t ep[2];
  direction_t dir[2]; /* dir[0]: client -> upstream, dir[1]: upstream -> client */
  uint32_t interest[2];
  bool registered[2];
  bool done;
  double id;
  double started_ms;
  const char *error_op; /* "read", "write" or "socket" (EPOLLERR) when a socket error ended it */
  int error;
  pair_t *prev, *next; /* live pairs (thread-owned list), or the incoming/finished queues */
};

typedef struct {
  double id;
  uint64_t bytes_to_upstream, bytes_to_client;
  double elapsed_ms;
  const char *error_op;
  int error;
} finished_t;

typedef struct {
  int epfd, wakefd;
  pthread_t thread;
  bool started;
  pthread_mutex_t mu;
  /* Guarded by mu. */
  pair_t *incoming;
  finished_t *finished;
  size_t finished_len, finished_cap;
  bool stop, close_all;
  int live; /* pairs handed over and not yet collected as finished */
  /* Thread-owned. */
  pair_t *pairs;
  pair_t *graveyard; /* finished in this epoll batch; freed after it */
  char *scratch;
  /* Zero-copy path: bytes go socket -> this pipe -> socket with splice(2), never through user
   * memory. One pipe per relay thread, always empty between two calls; -1 when unavailable. */
  int pipe_fd[2];
} relay_t;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void set_interest(relay_t *r, pair_t *p, int side, uint32_t want) {
  if (p->registered[side] && want == p->interest[side]) return;
  struct epoll_event ev = {.events = want, .data.ptr = &p->ep[side]};
  int op = p->registered[side] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (epoll_ctl(r->epfd, op, p->fd[side], &ev) == 0) {
    p->registered[side] = true;
    p->interest[side] = want;
  }
}

/* What fd[side] must be watched for: readable while its direction can take more, writable while
 * bytes wait for it. A socket needing nothing right now leaves the epoll set: a hung-up socket
 * reports EPOLLHUP whatever it is registered for, and would wake the loop over and over. */
static void update_interest(relay_t *r, pair_t *p, int side) {
  direction_t *from = &p->dir[side];
  direction_t *to = &p->dir[1 - side];
  uint32_t want = 0;
  if (!from->read_eof && from->pending_len == 0) want |= EPOLLIN;
  if (to->pending_len > 0) want |= EPOLLOUT;
  if (want == 0) {
    if (p->registered[side]) {
      epoll_ctl(r->epfd, EPOLL_CTL_DEL, p->fd[side], NULL);
      p->registered[side] = false;
    }
    return;
  }
  set_interest(r, p, side, want);
}

static void finish(relay_t *r, pair_t *p) {
  if (p->done) return;
  p->done = true;
  for (int s = 0; s < 2; s++) {
    /* Deregister before closing: close() alone leaves the registration in place while another
     * fd shares the socket (Node may not have closed its copy yet), and its events would then
     * point at this pair after it is freed. */
    if (p->registered[s]) epoll_ctl(r->epfd, EPOLL_CTL_DEL, p->fd[s], NULL);
    p->registered[s] = false;
    close(p->fd[s]);
    free(p->dir[s].pending);
    p->dir[s].pending = NULL;
  }
  if (p->prev) p->prev->next = p->next;
  else r->pairs = p->next;
  if (p->next) p->next->prev = p->prev;
  p->next = r->graveyard;
  r->graveyard = p;

  finished_t f = {
      .id = p->id,
      .bytes_to_upstream = p->dir[0].bytes,
      .bytes_to_client = p->dir[1].bytes,
      .elapsed_ms = now_ms() - p->started_ms,
      .error_op = p->error_op,
      .error = p->error,
  };
  pthread_mutex_lock(&r->mu);
  if (r->finished_len == r->finished_cap) {
    size_t cap = r->finished_cap ? r->finished_cap * 2 : 64;
    finished_t *grown = realloc(r->finished, cap * sizeof *grown);
    if (grown) {
      r->finished = grown;
      r->finished_cap = cap;
    }
  }
  if (r->finished_len < r->finished_cap) r->finished[r->finished_len++] = f;
  else r->live--; /* out of memory: at least keep the open count right */
  pthread_mutex_unlock(&r->mu);
}

/* A socket failed: the other side is reset, as the JavaScript relay does, so its peer learns. */
static void abort_pair(relay_t *r, pair_t *p, int failed_side, const char *op, int error) {
  if (p->done) return;
  if (!p->error_op) {
    p->error_op = op;
    p->error = error;
  }
  struct linger reset = {.l_onoff = 1, .l_linger = 0};
  setsockopt(p->fd[1 - failed_side], SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  finish(r, p);
}

static void maybe_finish(relay_t *r, pair_t *p) {
  if (p->dir[0].shut && p->dir[1].shut) finish(r, p);
}

/* Passes the FIN on once nothing read before it is still waiting. */
static void pass_fin(pair_t *p, int side) {
  direction_t *d = &p->dir[side];
  if (d->read_eof && d->pending_len == 0 && !d->shut) {
    shutdown(p->fd[1 - side], SHUT_WR);
    d->shut = true;
  }
}

/* Writes what is pending for fd[1 - side]; false when the pair was aborted. */
static bool flush_pending(relay_t *r, pair_t *p, int side) {
  direction_t *d = &p->dir[side];
  while (d->pending_len > 0) {
    ssize_t n = send(p->fd[1 - side], d->pending + d->pending_off, d->pending_len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      abort_pair(r, p, 1 - side, "write", errno);
      return false;
    }
    d->pending_off += (size_t)n;
    d->pending_len -= (size_t)n;
  }
  free(d->pending);
  d->pending = NULL;
  d->pending_off = 0;
  return true;
}

/* Queues bytes behind whatever is pending (the caller only does so when nothing is). */
static bool keep_pending(direction_t *d, const char *data, size_t len) {
  char *copy = malloc(len);
  if (!copy) return false;
  memcpy(copy, data, len);
  d->pending = copy;
  d->pending_off = 0;
  d->pending_len = len;
  return true;
}

/* Empties the relay's pipe of `len` bytes, into `into` when given, else discarding them. */
static bool drain_pipe(relay_t *r, char *into, size_t len) {
  size_t off = 0;
  while (off < len) {
    size_t want = len - off;
    ssize_t n = read(r->pipe_fd[0], into ? into + off : r->scratch, into ? want : (want < SCRATCH_BYTES ? want : SCRATCH_BYTES));
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
    off += (size_t)n;
  }
  return true;
}

/* The relay's pipe can no longer be trusted to be empty: stop using splice on this thread. */
static void give_up_splice(relay_t *r) {
  close(r->pipe_fd[0]);
  close(r->pipe_fd[1]);
  r->pipe_fd[0] = r->pipe_fd[1] = -1;
}

/* pump_once through the pipe. Returns 1 done, 0 aborted, -1 splice is not possible (use copies). */
static int splice_once(relay_t *r, pair_t *p, int side) {
  direction_t *d = &p->dir[side];
  ssize_t got = splice(p->fd[side], NULL, r->pipe_fd[1], NULL, PIPE_BYTES, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  if (got < 0) {
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) return 1;
    if (errno == EINVAL || errno == ENOSYS) return -1;
    abort_pair(r, p, side, "read", errno);
    return 0;
  }
  if (got == 0) {
    d->read_eof = true;
    pass_fin(p, side);
    return 1;
  }
  d->bytes += (uint64_t)got;
  size_t off = 0;
  while (off < (size_t)got) {
    ssize_t n = splice(r->pipe_fd[0], NULL, p->fd[1 - side], NULL, (size_t)got - off, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      int error = errno;
      if (!drain_pipe(r, NULL, (size_t)got - off)) give_up_splice(r);
      abort_pair(r, p, 1 - side, "write", error);
      return 0;
    }
    off += (size_t)n;
  }
  if (off < (size_t)got) {
    /* The destination is full: what is left moves from the pipe into this direction's own
     * buffer (the pipe is shared by every connection of the thread). */
    size_t rest = (size_t)got - off;
    char *copy = malloc(rest);
    if (!copy || !drain_pipe(r, copy, rest)) {
      free(copy);
      if (!drain_pipe(r, NULL, rest)) give_up_splice(r);
      abort_pair(r, p, side, "read", ENOMEM);
      return 0;
    }
    d->pending = copy;
    d->pending_off = 0;
    d->pending_len = rest;
  }
  return 1;
}

/* Reads once from fd[side] and writes it on; false when the pair was aborted. */
static bool pump_once(relay_t *r, pair_t *p, int side) {
  direction_t *d = &p->dir[side];
  if (r->pipe_fd[0] >= 0) {
    int done = splice_once(r, p, side);
    if (done >= 0) return done == 1;
    give_up_splice(r);
  }
  ssize_t got = recv(p->fd[side], r->scratch, SCRATCH_BYTES, 0);
  if (got < 0) {
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) return true;
    abort_pair(r, p, side, "read", errno);
    return false;
  }
  if (got == 0) {
    d->read_eof = true;
    pass_fin(p, side);
    return true;
  }
  d->bytes += (uint64_t)got;
  size_t off = 0;
  while (off < (size_t)got) {
    ssize_t n = send(p->fd[1 - side], r->scratch + off, (size_t)got - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      abort_pair(r, p, 1 - side, "write", errno);
      return false;
    }
    off += (size_t)n;
  }
  if (off < (size_t)got && !keep_pending(d, r->scratch + off, (size_t)got - off)) {
    abort_pair(r, p, side, "read", ENOMEM);
    return false;
  }
  return true;
}

static void on_event(relay_t *r, endpoint_t *ep, uint32_t events) {
  pair_t *p = ep->pair;
  int side = ep->side;
  if (p->done) return;
  if (events & EPOLLERR) {
    int error = 0;
    socklen_t len = sizeof error;
    getsockopt(p->fd[side], SOL_SOCKET, SO_ERROR, &error, &len);
    abort_pair(r, p, side, "socket", error ? error : ECONNRESET);
    return;
  }
  /* fd[side] writable: bytes from the other side were waiting for it. */
  if ((events & EPOLLOUT) && p->dir[1 - side].pending_len > 0) {
    if (!flush_pending(r, p, 1 - side)) return;
    pass_fin(p, 1 - side);
  }
  if ((events & (EPOLLIN | EPOLLHUP)) && !p->dir[side].read_eof && p->dir[side].pending_len == 0) {
    if (!pump_once(r, p, side)) return;
  }
  maybe_finish(r, p);
  if (p->done) return;
  update_interest(r, p, 0);
  update_interest(r, p, 1);
}

static void adopt(relay_t *r, pair_t *p) {
  p->prev = NULL;
  p->next = r->pairs;
  if (r->pairs) r->pairs->prev = p;
  r->pairs = p;
  /* Bytes Node had already read, handed over with the sockets, go out first. */
  for (int side = 0; side < 2; side++) {
    if (p->dir[side].pending_len > 0 && !flush_pending(r, p, side)) return;
    pass_fin(p, side);
  }
  maybe_finish(r, p);
  if (p->done) return;
  update_interest(r, p, 0);
  update_interest(r, p, 1);
}

static void bury(relay_t *r) {
  while (r->graveyard) {
    pair_t *p = r->graveyard;
    r->graveyard = p->next;
    free(p);
  }
}

static void *relay_main(void *arg) {
  relay_t *r = arg;
  struct epoll_event events[MAX_EVENTS];
  for (;;) {
    int n = epoll_wait(r->epfd, events, MAX_EVENTS, -1);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; i++) {
      if (events[i].data.ptr == NULL) {
        uint64_t count;
        if (read(r->wakefd, &count, sizeof count) < 0) { /* a spurious wake is harmless */ }
        pthread_mutex_lock(&r->mu);
        pair_t *incoming = r->incoming;
        r->incoming = NULL;
        bool stop = r->stop, close_all = r->close_all;
        r->close_all = false;
        pthread_mutex_unlock(&r->mu);
        while (incoming) {
          pair_t *p = incoming;
          incoming = p->next;
          adopt(r, p);
        }
        if (close_all || stop) {
          /* Like Node's destroy() of a cut socket: a plain close. */
          while (r->pairs) finish(r, r->pairs);
        }
        if (stop) {
          bury(r);
          return NULL;
        }
      } else {
        on_event(r, events[i].data.ptr, events[i].events);
      }
    }
    bury(r);
  }
  return NULL;
}

static void wake(relay_t *r) {
  uint64_t one = 1;
  if (write(r->wakefd, &one, sizeof one) < 0) { /* the counter only saturates: already awake */ }
}

static bool start_thread(relay_t *r) {
  if (r->started) return true;
  if (!r->scratch) r->scratch = malloc(SCRATCH_BYTES);
  if (r->pipe_fd[0] < 0 && pipe2(r->pipe_fd, O_NONBLOCK | O_CLOEXEC) == 0) {
    /* Larger than the default 64 KiB: fewer splices per MB (best effort; pipe-max-size caps it). */
    if (fcntl(r->pipe_fd[1], F_SETPIPE_SZ, PIPE_BYTES) < 0) fcntl(r->pipe_fd[1], F_SETPIPE_SZ, SCRATCH_BYTES);
  } else if (r->pipe_fd[0] < 0) {
    r->pipe_fd[0] = r->pipe_fd[1] = -1;
  }
  if (r->epfd < 0) r->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (r->wakefd < 0) {
    r->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (r->wakefd >= 0 && r->epfd >= 0 && epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->wakefd, &ev) != 0) {
      close(r->wakefd);
      r->wakefd = -1;
    }
  }
  if (!r->scratch || r->epfd < 0 || r->wakefd < 0) return false;
  if (pthread_create(&r->thread, NULL, relay_main, r) != 0) return false;
  pthread_setname_np(r->thread, "fault-relay");
  r->started = true;
  return true;
}

/* ---- N-API ---------------------------------------------------------------------------- */

#define CHECK(call)                                 \
  do {                                              \
    if ((call) != napi_ok) return NULL;             \
  } while (0)

static relay_t *relay_of(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return data;
}

static int dup_socket(int fd) {
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return -1;
  int flags = fcntl(copy, F_GETFL);
  fcntl(copy, F_SETFL, flags | O_NONBLOCK);
  return copy;
}

static bool copy_buffer(napi_env env, napi_value value, direction_t *d) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type == napi_undefined || type == napi_null) return true;
  void *data;
  size_t len;
  if (napi_get_buffer_info(env, value, &data, &len) != napi_ok) return false;
  if (len == 0) return true;
  /* Node read these from the source socket: they count as relayed like any other. */
  d->bytes += len;
  return keep_pending(d, data, len);
}

/* relayAdd(id, clientFd, upstreamFd, clientBytes?, upstreamBytes?) -> boolean.
 * Dups both fds (the caller then destroys its sockets) and hands them to the relay thread.
 * The optional buffers are bytes Node already read from each socket: they go out first. */
static napi_value relay_add(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_value result;
  relay_t *r = relay_of(env);
  double id = 0;
  int32_t fds[2] = {-1, -1};
  if (argc < 3 || !r || napi_get_value_double(env, argv[0], &id) != napi_ok ||
      napi_get_value_int32(env, argv[1], &fds[0]) != napi_ok ||
      napi_get_value_int32(env, argv[2], &fds[1]) != napi_ok || fds[0] < 0 || fds[1] < 0) {
    napi_throw_type_error(env, NULL, "relayAdd(id, clientFd, upstreamFd[, clientBytes, upstreamBytes])");
    return NULL;
  }
  pthread_mutex_lock(&r->mu);
  bool ok = start_thread(r);
  pthread_mutex_unlock(&r->mu);
  pair_t *p = ok ? calloc(1, sizeof *p) : NULL;
  if (!p) {
    CHECK(napi_get_boolean(env, false, &result));
    return result;
  }
  p->id = id;
  p->started_ms = now_ms();
  if ((argc > 3 && !copy_buffer(env, argv[3], &p->dir[0])) || (argc > 4 && !copy_buffer(env, argv[4], &p->dir[1]))) {
    free(p->dir[0].pending);
    free(p->dir[1].pending);
    free(p);
    CHECK(napi_get_boolean(env, false, &result));
    return result;
  }
  p->fd[0] = dup_socket(fds[0]);
  p->fd[1] = dup_socket(fds[1]);
  if (p->fd[0] < 0 || p->fd[1] < 0) {
    if (p->fd[0] >= 0) close(p->fd[0]);
    if (p->fd[1] >= 0) close(p->fd[1]);
    free(p->dir[0].pending);
    free(p->dir[1].pending);
    free(p);
    CHECK(napi_get_boolean(env, false, &result));
    return result;
  }
  for (int s = 0; s < 2; s++) p->ep[s] = (endpoint_t){.pair = p, .side = s};
  pthread_mutex_lock(&r->mu);
  p->next = r->incoming;
  r->incoming = p;
  r->live++;
  pthread_mutex_unlock(&r->mu);
  wake(r);
  CHECK(napi_get_boolean(env, true, &result));
  return result;
}

static napi_value make_error_code(napi_env env, int error) {
  napi_value v;
  const char *name = NULL;
  switch (error) {
    case ECONNRESET: name = "ECONNRESET"; break;
    case EPIPE: name = "EPIPE"; break;
    case ETIMEDOUT: name = "ETIMEDOUT"; break;
    case EHOSTUNREACH: name = "EHOSTUNREACH"; break;
    case ENETUNREACH: name = "ENETUNREACH"; break;
    case ENOMEM: name = "ENOMEM"; break;
    case ECONNABORTED: name = "ECONNABORTED"; break;
    default: break;
  }
  char buf[32];
  if (!name) {
    snprintf(buf, sizeof buf, "E%d", error);
    name = buf;
  }
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &v);
  return v;
}

/* relayCollect() -> [{ id, bytesToUpstream, bytesToClient, elapsedMs, errorOp?, errorCode? }]:
 * connections finished since the last call. */
static napi_value relay_collect(napi_env env, napi_callback_info info) {
  (void)info;
  relay_t *r = relay_of(env);
  napi_value list;
  finished_t *items = NULL;
  size_t count = 0;
  if (r) {
    pthread_mutex_lock(&r->mu);
    items = r->finished;
    count = r->finished_len;
    r->finished = NULL;
    r->finished_len = r->finished_cap = 0;
    r->live -= (int)count;
    pthread_mutex_unlock(&r->mu);
  }
  CHECK(napi_create_array_with_length(env, count, &list));
  for (size_t i = 0; i < count; i++) {
    napi_value obj, v;
    CHECK(napi_create_object(env, &obj));
    CHECK(napi_create_double(env, items[i].id, &v));
    CHECK(napi_set_named_property(env, obj, "id", v));
    CHECK(napi_create_double(env, (double)items[i].bytes_to_upstream, &v));
    CHECK(napi_set_named_property(env, obj, "bytesToUpstream", v));
    CHECK(napi_create_double(env, (double)items[i].bytes_to_client, &v));
    CHECK(napi_set_named_property(env, obj, "bytesToClient", v));
    CHECK(napi_create_double(env, items[i].elapsed_ms, &v));
    CHECK(napi_set_named_property(env, obj, "elapsedMs", v));
    if (items[i].error_op) {
      CHECK(napi_create_string_utf8(env, items[i].error_op, NAPI_AUTO_LENGTH, &v));
      CHECK(napi_set_named_property(env, obj, "errorOp", v));
      CHECK(napi_set_named_property(env, obj, "errorCode", make_error_code(env, items[i].error)));
    }
    CHECK(napi_set_element(env, list, (uint32_t)i, obj));
  }
  free(items);
  return list;
}

/* relayOpenCount() -> connections handed over and not yet collected. */
static napi_value relay_open_count(napi_env env, napi_callback_info info) {
  (void)info;
  relay_t *r = relay_of(env);
  int live = 0;
  if (r) {
    pthread_mutex_lock(&r->mu);
    live = r->live;
    pthread_mutex_unlock(&r->mu);
  }
  napi_value v;
  CHECK(napi_create_int32(env, live, &v));
  return v;
}

/* relayCloseAll(): closes every relayed connection (a shard's drain time is over). */
static napi_value relay_close_all(napi_env env, napi_callback_info info) {
  (void)info;
  relay_t *r = relay_of(env);
  if (r && r->started) {
    pthread_mutex_lock(&r->mu);
    r->close_all = true;
    pthread_mutex_unlock(&r->mu);
    wake(r);
  }
  return NULL;
}

/* The environment (a worker thread, or the main thread) is going away: stop the thread, close
 * every socket it still relays, free everything. */
static void relay_cleanup(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  relay_t *r = data;
  if (r->started) {
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_mutex_unlock(&r->mu);
    wake(r);
    pthread_join(r->thread, NULL);
    while (r->incoming) {
      pair_t *p = r->incoming;
      r->incoming = p->next;
      close(p->fd[0]);
      close(p->fd[1]);
      free(p->dir[0].pending);
      free(p->dir[1].pending);
      free(p);
    }
  }
  if (r->epfd >= 0) close(r->epfd);
  if (r->wakefd >= 0) close(r->wakefd);
  free(r->scratch);
  if (r->pipe_fd[0] >= 0) give_up_splice(r);
  free(r->finished);
  pthread_mutex_destroy(&r->mu);
  free(r);
}

bool fault_relay_register(napi_env env, napi_value exports) {
  relay_t *r = calloc(1, sizeof *r);
  if (!r) return false;
  r->epfd = r->wakefd = -1;
  r->pipe_fd[0] = r->pipe_fd[1] = -1;
  pthread_mutex_init(&r->mu, NULL);
  if (napi_set_instance_data(env, r, relay_cleanup, NULL) != napi_ok) {
    free(r);
    return false;
  }
  napi_property_descriptor props[] = {
      {"relayAdd", NULL, relay_add, NULL, NULL, NULL, napi_enumerable, NULL},
      {"relayCollect", NULL, relay_collect, NULL, NULL, NULL, napi_enumerable, NULL},
      {"relayOpenCount", NULL, relay_open_count, NULL, NULL, NULL, napi_enumerable, NULL},
      {"relayCloseAll", NULL, relay_close_all, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props) == napi_ok;
}
