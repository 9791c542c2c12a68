/*
 * fault_native: a tiny N-API addon giving the `fault` engine what Node 20's net module lacks.
 *
 *   openReusePortListeners(host, port, count, backlog[, probe = true]) -> number[]
 *       Opens `count` listening TCP sockets on host:port, all with SO_REUSEADDR + SO_REUSEPORT,
 *       so the kernel load-balances incoming connections across them (one per shard/worker).
 *       Unless `probe` is false, a plain bind (SO_REUSEADDR only, like libuv) is attempted first
 *       so that a port already held by anybody fails with EADDRINUSE instead of silently joining
 *       someone else's SO_REUSEPORT group. probe=false is for re-joining our own live group
 *       (e.g. when a crashed shard is restarted).
 *   localPort(fd) -> number                 getsockname() port
 *   closeFd(fd) -> undefined                close()
 *   getOriginalDst(fd) -> {address, port}   netfilter SO_ORIGINAL_DST of an accepted socket
 *
 * Errors are thrown as JS Errors with `code` set to the errno name (EADDRINUSE, ...), `errno`
 * set to the negated errno (the convention of Node's own system errors) and `syscall`.
 *
 * Linux only (SO_REUSEPORT load balancing, SOCK_CLOEXEC, netfilter).
 */
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include "fault_relay.h"
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_ORIGINAL_DST
#define SO_ORIGINAL_DST 80 /* linux/netfilter_ipv4.h */
#endif
#ifndef IP6T_SO_ORIGINAL_DST
#define IP6T_SO_ORIGINAL_DST 80 /* linux/netfilter_ipv6/ip6_tables.h */
#endif

#define MAX_LISTENERS 1024
#define DEFAULT_BACKLOG 511

/* Bail out of a napi_callback when an N-API call itself fails (an exception is pending or the
 * engine is in a bad state); returning NULL yields `undefined` / propagates the exception. */
#define NAPI_OK(call)                 \
  do {                                \
    if ((call) != napi_ok) return NULL; \
  } while (0)

static const char *errno_name(int err) {
  switch (err) {
    case EACCES: return "EACCES";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case EFAULT: return "EFAULT";
    case EINTR: return "EINTR";
    case EINVAL: return "EINVAL";
    case EIO: return "EIO";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ENOBUFS: return "ENOBUFS";
    case ENODEV: return "ENODEV";
    case ENOENT: return "ENOENT";
    case ENOMEM: return "ENOMEM";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case ENOSYS: return "ENOSYS";
    case ENOTCONN: return "ENOTCONN";
    case ENOTSOCK: return "ENOTSOCK";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EPERM: return "EPERM";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case EPROTOTYPE: return "EPROTOTYPE";
    default: return NULL;
  }
}

/* Throws `new Error(message)` with code / errno / syscall (and address / port if given). */
static void throw_sys_error(napi_env env, int err, const char *syscall, const char *message,
                            const char *address, int port) {
  char unknown[32];
  const char *name = errno_name(err);
  if (name == NULL) {
    snprintf(unknown, sizeof unknown, "E%d", err); /* still unique and greppable */
    name = unknown;
  }
  napi_value code, msg, error, val;
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code) != napi_ok) return;
  if (napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg) != napi_ok) return;
  if (napi_create_error(env, code, msg, &error) != napi_ok) return;
  if (napi_create_int32(env, -err, &val) == napi_ok) napi_set_named_property(env, error, "errno", val);
  if (napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &val) == napi_ok)
    napi_set_named_property(env, error, "syscall", val);
  if (address != NULL && napi_create_string_utf8(env, address, NAPI_AUTO_LENGTH, &val) == napi_ok)
    napi_set_named_property(env, error, "address", val);
  if (port >= 0 && napi_create_int32(env, port, &val) == napi_ok)
    napi_set_named_property(env, error, "port", val);
  napi_throw(env, error);
}

static void throw_arg_error(napi_env env, const char *message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
}

/* Reads argument `v` as an integer in [min, max]; throws a TypeError naming `what` otherwise. */
static bool get_int_arg(napi_env env, napi_value v, const char *what, int64_t min, int64_t max,
                        int64_t *out) {
  napi_valuetype t;
  double d;
  char msg[128];
  if (napi_typeof(env, v, &t) != napi_ok) return false;
  if (t == napi_number && napi_get_value_double(env, v, &d) == napi_ok && d == (double)(int64_t)d &&
      d >= (double)min && d <= (double)max) {
    *out = (int64_t)d;
    return true;
  }
  snprintf(msg, sizeof msg, "%s must be an integer in [%lld, %lld]", what, (long long)min,
           (long long)max);
  throw_arg_error(env, msg);
  return false;
}

static bool get_fd_arg(napi_env env, napi_callback_info info, int *fd) {
  size_t argc = 1;
  napi_value argv[1];
  int64_t v;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return false;
  if (argc < 1) {
    throw_arg_error(env, "fd is required");
    return false;
  }
  if (!get_int_arg(env, argv[0], "fd", 0, 0x7fffffff, &v)) return false;
  *fd = (int)v;
  return true;
}

typedef struct {
  struct sockaddr_storage ss;
  socklen_t len;
  int family;
} endpoint;

/* Parses an IPv4 or IPv6 literal (no brackets; an IPv6 zone "%eth0" or "%2" is accepted). */
static bool parse_ip(const char *host, endpoint *ep) {
  memset(ep, 0, sizeof *ep);
  struct sockaddr_in *a4 = (struct sockaddr_in *)&ep->ss;
  if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    ep->family = AF_INET;
    ep->len = sizeof *a4;
    return true;
  }
  char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  if (strlen(host) >= sizeof buf) return false;
  strcpy(buf, host);
  unsigned int scope = 0;
  char *zone = strchr(buf, '%');
  if (zone != NULL) {
    *zone++ = '\0';
    char *end;
    unsigned long n = strtoul(zone, &end, 10);
    if (*zone != '\0' && *end == '\0') scope = (unsigned int)n;
    else scope = if_nametoindex(zone);
    if (scope == 0) return false;
  }
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ep->ss;
  if (inet_pton(AF_INET6, buf, &a6->sin6_addr) != 1) return false;
  a6->sin6_family = AF_INET6;
  a6->sin6_scope_id = scope;
  ep->family = AF_INET6;
  ep->len = sizeof *a6;
  return true;
}

static void set_port(endpoint *ep, int port) {
  if (ep->family == AF_INET) ((struct sockaddr_in *)&ep->ss)->sin_port = htons((uint16_t)port);
  else ((struct sockaddr_in6 *)&ep->ss)->sin6_port = htons((uint16_t)port);
}

static int port_of(const struct sockaddr_storage *ss) {
  if (ss->ss_family == AF_INET) return ntohs(((const struct sockaddr_in *)ss)->sin_port);
  if (ss->ss_family == AF_INET6) return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
  return -1;
}

/* Returns 0 and the bound port of `fd`, or an errno. */
static int bound_port(int fd, int *port) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) return errno;
  int p = port_of(&ss);
  if (p < 0) return EAFNOSUPPORT;
  *port = p;
  return 0;
}

/*
 * Creates a non-blocking, close-on-exec TCP socket bound to `ep` (SO_REUSEADDR always,
 * SO_REUSEPORT if `reuseport`, IPV6_V6ONLY for v6) and, if backlog > 0, listening.
 * Returns 0 with *out set, or an errno with *syscall naming the failing call (nothing left open).
 */
static int open_socket(const endpoint *ep, bool reuseport, int backlog, int *out,
                       const char **syscall) {
  const int one = 1;
  int fd = socket(ep->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *syscall = "socket";
    return errno;
  }
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) ||
      (ep->family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0)) {
    *syscall = "setsockopt";
  } else if (bind(fd, (const struct sockaddr *)&ep->ss, ep->len) != 0) {
    *syscall = "bind";
  } else if (backlog > 0 && listen(fd, backlog) != 0) {
    *syscall = "listen";
  } else {
    *out = fd;
    return 0;
  }
  int err = errno;
  close(fd);
  return err;
}

static void throw_listen_error(napi_env env, int err, const char *syscall, const char *host,
                               int family, int port) {
  char msg[512];
  /* IPv6 literals are bracketed so the port stays readable: "listen [::1]:8080: ..." */
  snprintf(msg, sizeof msg, family == AF_INET6 ? "listen [%s]:%d: %s" : "listen %s:%d: %s", host,
           port, strerror(err));
  throw_sys_error(env, err, syscall, msg, host, port);
}

static napi_value open_reuseport_listeners(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) {
    throw_arg_error(env, "openReusePortListeners(host, port, count, backlog[, probe]) needs 4 arguments");
    return NULL;
  }

  char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  size_t host_len = 0;
  napi_valuetype t;
  NAPI_OK(napi_typeof(env, argv[0], &t));
  if (t != napi_string) {
    throw_arg_error(env, "host must be a string (an IP literal)");
    return NULL;
  }
  NAPI_OK(napi_get_value_string_utf8(env, argv[0], host, sizeof host, &host_len));

  int64_t port64, count64, backlog64;
  if (!get_int_arg(env, argv[1], "port", 0, 65535, &port64)) return NULL;
  if (!get_int_arg(env, argv[2], "count", 1, MAX_LISTENERS, &count64)) return NULL;
  if (!get_int_arg(env, argv[3], "backlog", -0x7fffffffLL, 0x7fffffffLL, &backlog64)) return NULL;
  int port = (int)port64, count = (int)count64;
  int backlog = backlog64 > 0 ? (int)backlog64 : DEFAULT_BACKLOG;

  bool probe = true;
  if (argc >= 5) {
    NAPI_OK(napi_typeof(env, argv[4], &t));
    if (t == napi_boolean) NAPI_OK(napi_get_value_bool(env, argv[4], &probe));
    else if (t != napi_undefined) {
      throw_arg_error(env, "probe must be a boolean");
      return NULL;
    }
  }

  endpoint ep;
  if (host_len == 0 || host_len >= sizeof host - 1 || !parse_ip(host, &ep)) {
    char msg[600];
    snprintf(msg, sizeof msg, "listen %.*s:%d: not an IP address literal", (int)sizeof host, host,
             port);
    throw_sys_error(env, EINVAL, "bind", msg, host, port);
    return NULL;
  }

  const char *syscall = "bind";
  int err, fd;

  if (probe) {
    /* Without SO_REUSEPORT this bind fails if anyone holds the port, reuseport or not. It does
     * not listen, so closing it releases the port at once (no TIME_WAIT). */
    set_port(&ep, port);
    err = open_socket(&ep, false, 0, &fd, &syscall);
    if (err == 0) {
      if (port == 0 && (err = bound_port(fd, &port)) != 0) syscall = "getsockname";
      close(fd);
    }
    if (err != 0) {
      throw_listen_error(env, err, syscall, host, ep.family, port);
      return NULL;
    }
  }

  int *fds = calloc((size_t)count, sizeof *fds);
  if (fds == NULL) {
    throw_listen_error(env, ENOMEM, "socket", host, ep.family, port);
    return NULL;
  }
  int opened = 0;
  err = 0;
  while (opened < count) {
    set_port(&ep, port);
    err = open_socket(&ep, true, backlog, &fd, &syscall);
    if (err != 0) break;
    fds[opened++] = fd;
    /* port 0 without probe: the first socket picks the port, the others join it */
    if (port == 0 && (err = bound_port(fd, &port)) != 0) {
      syscall = "getsockname";
      break;
    }
  }

  napi_value result = NULL;
  if (err == 0 && napi_create_array_with_length(env, (size_t)count, &result) == napi_ok) {
    for (int i = 0; i < count && result != NULL; i++) {
      napi_value v;
      if (napi_create_int32(env, fds[i], &v) != napi_ok ||
          napi_set_element(env, result, (uint32_t)i, v) != napi_ok)
        result = NULL;
    }
  }
  if (result == NULL) {
    for (int i = 0; i < opened; i++) close(fds[i]);
    if (err != 0) throw_listen_error(env, err, syscall, host, ep.family, port);
    /* else: an N-API call failed and left its own exception pending */
  }
  free(fds);
  return result;
}

static napi_value local_port(napi_env env, napi_callback_info info) {
  int fd, port = 0, err;
  if (!get_fd_arg(env, info, &fd)) return NULL;
  if ((err = bound_port(fd, &port)) != 0) {
    char msg[160];
    snprintf(msg, sizeof msg, "getsockname fd %d: %s", fd, strerror(err));
    throw_sys_error(env, err, "getsockname", msg, NULL, -1);
    return NULL;
  }
  napi_value v;
  NAPI_OK(napi_create_int32(env, port, &v));
  return v;
}

static napi_value close_fd(napi_env env, napi_callback_info info) {
  int fd;
  if (!get_fd_arg(env, info, &fd)) return NULL;
  /* On Linux the fd is released even when close() reports EINTR: never retry. */
  if (close(fd) != 0 && errno != EINTR) {
    int err = errno;
    char msg[160];
    snprintf(msg, sizeof msg, "close fd %d: %s", fd, strerror(err));
    throw_sys_error(env, err, "close", msg, NULL, -1);
  }
  return NULL;
}

static napi_value get_original_dst(napi_env env, napi_callback_info info) {
  int fd, err = 0;
  if (!get_fd_arg(env, info, &fd)) return NULL;

  struct sockaddr_storage local, dst;
  socklen_t len = sizeof local;
  memset(&dst, 0, sizeof dst);
  if (getsockname(fd, (struct sockaddr *)&local, &len) != 0) {
    err = errno;
  } else if (local.ss_family == AF_INET) {
    len = sizeof(struct sockaddr_in);
    if (getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &dst, &len) != 0) err = errno;
  } else if (local.ss_family == AF_INET6) {
    len = sizeof(struct sockaddr_in6);
    if (getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, &dst, &len) != 0) {
      err = errno;
      /* an IPv4 connection accepted on a dual-stack socket is tracked by IPv4 conntrack */
      if (IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&local)->sin6_addr)) {
        len = sizeof(struct sockaddr_in);
        if (getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &dst, &len) == 0) err = 0;
      }
    }
  } else {
    err = EAFNOSUPPORT;
  }

  char addr[INET6_ADDRSTRLEN];
  if (err == 0) {
    const void *src = dst.ss_family == AF_INET
                          ? (const void *)&((struct sockaddr_in *)&dst)->sin_addr
                          : (const void *)&((struct sockaddr_in6 *)&dst)->sin6_addr;
    if ((dst.ss_family != AF_INET && dst.ss_family != AF_INET6) ||
        inet_ntop(dst.ss_family, src, addr, sizeof addr) == NULL)
      err = EAFNOSUPPORT;
  }
  if (err != 0) {
    char msg[160];
    snprintf(msg, sizeof msg, "SO_ORIGINAL_DST fd %d: %s", fd, strerror(err));
    throw_sys_error(env, err, "getsockopt", msg, NULL, -1);
    return NULL;
  }

  napi_value obj, v;
  NAPI_OK(napi_create_object(env, &obj));
  NAPI_OK(napi_create_string_utf8(env, addr, NAPI_AUTO_LENGTH, &v));
  NAPI_OK(napi_set_named_property(env, obj, "address", v));
  NAPI_OK(napi_create_int32(env, port_of(&dst), &v));
  NAPI_OK(napi_set_named_property(env, obj, "port", v));
  return obj;
}

/* Context-aware init: safe to load from several worker threads (no global state). */
NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"openReusePortListeners", NULL, open_reuseport_listeners, NULL, NULL, NULL, napi_enumerable, NULL},
      {"localPort", NULL, local_port, NULL, NULL, NULL, napi_enumerable, NULL},
      {"closeFd", NULL, close_fd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getOriginalDst", NULL, get_original_dst, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok)
    return NULL;
  if (!fault_relay_register(env, exports)) return NULL;
  return exports;
}
