/*
 * fault_stealth: loads build/bpf/fault_stealth.bpf.o with libbpf and attaches its three programs
 * to a cgroup v2 directory through BPF links.
 *
 *   attach({ object, cgroup, comm, proxyIp, proxyPort }) -> { programs: [{ name, id }] }
 *       Opens and loads the object, writes the configuration map (process name prefix, our own
 *       pid, the stealth listener), then attaches fault_connect4, fault_sockops and
 *       fault_sockopt to the cgroup. Links are multi-attach: other programs on the cgroup,
 *       including another fault process's, keep running.
 *   detach() -> undefined   destroys the links and unloads the object (idempotent).
 *   others(cgroup) -> [{ pid, comm, proxyIp, proxyPort }]
 *       The configuration of every fault stealth instance attached to that cgroup, so that a
 *       second instance can refuse a process name that overlaps one already captured.
 *   libbpfVersion() -> string
 *
 * Lifetime: the links and programs are held only by file descriptors of this process (nothing
 * is pinned), so when the process ends - even by SIGKILL - the kernel drops the links and the
 * redirect disappears with it. One attachment per process; call it from the main thread only.
 *
 * Errors are thrown with `code` = errno name when there is one, and the tail of libbpf's log
 * (the verifier's complaint, for instance) in the message.
 */
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define COMM_LEN 16
#define LOG_CAP 8192
#define N_PROGS 3

/* Must match struct fault_config in fault_stealth.bpf.c. */
struct fault_config {
  char comm[COMM_LEN];
  unsigned int comm_len;
  unsigned int proxy_tgid;
  unsigned int proxy_ip4;
  unsigned int proxy_port;
  unsigned int pad;
  unsigned long long proxy_netns;
};

static const char *const PROG_NAMES[N_PROGS] = {"fault_connect4", "fault_sockops", "fault_sockopt"};

static struct bpf_object *g_obj;
static struct bpf_link *g_links[N_PROGS];

static char g_log[LOG_CAP];
static size_t g_log_len;

static int on_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  if (g_log_len >= LOG_CAP - 1) {
    /* keep the tail: the verifier's verdict comes last */
    memmove(g_log, g_log + LOG_CAP / 2, LOG_CAP / 2);
    g_log_len = LOG_CAP / 2 - 1;
  }
  int n = vsnprintf(g_log + g_log_len, LOG_CAP - g_log_len, fmt, args);
  if (n > 0) g_log_len += (size_t)n < LOG_CAP - g_log_len ? (size_t)n : LOG_CAP - g_log_len - 1;
  return 0;
}

static const char *errno_name(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOENT: return "ENOENT";
    case EINVAL: return "EINVAL";
    case ENOTDIR: return "ENOTDIR";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENOMEM: return "ENOMEM";
    case E2BIG: return "E2BIG";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ENOSYS: return "ENOSYS";
    case EBADF: return "EBADF";
    default: return "EUNKNOWN";
  }
}

static void throw_error(napi_env env, int err, const char *what) {
  char msg[2048];
  size_t tail = g_log_len > 1200 ? 1200 : g_log_len;
  if (tail > 0) {
    snprintf(msg, sizeof msg, "%s: %s\n%.*s", what, strerror(err), (int)tail, g_log + g_log_len - tail);
  } else {
    snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  }
  napi_value code, message, error, num;
  if (napi_create_string_utf8(env, errno_name(err), NAPI_AUTO_LENGTH, &code) != napi_ok) return;
  if (napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message) != napi_ok) return;
  if (napi_create_error(env, code, message, &error) != napi_ok) return;
  if (napi_create_int32(env, -err, &num) == napi_ok) napi_set_named_property(env, error, "errno", num);
  napi_throw(env, error);
}

static void throw_type(napi_env env, const char *msg) { napi_throw_type_error(env, NULL, msg); }

static void release(void) {
  for (int i = 0; i < N_PROGS; i++) {
    if (g_links[i]) bpf_link__destroy(g_links[i]);
    g_links[i] = NULL;
  }
  if (g_obj) bpf_object__close(g_obj);
  g_obj = NULL;
}

static int get_string_prop(napi_env env, napi_value obj, const char *name, char *buf, size_t cap) {
  napi_value v;
  size_t len = 0;
  napi_valuetype t;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return 0;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) return 0;
  if (napi_get_value_string_utf8(env, v, buf, cap, &len) != napi_ok) return 0;
  return len < cap - 1;
}

static int get_u32_prop(napi_env env, napi_value obj, const char *name, unsigned int *out) {
  napi_value v;
  napi_valuetype t;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return 0;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) return 0;
  return napi_get_value_uint32(env, v, out) == napi_ok;
}

/* The cookie of this process's network namespace (SO_NETNS_COOKIE, Linux 5.14+); 0 when the
 * kernel cannot tell, which leaves redirects unscoped. */
static unsigned long long own_netns_cookie(void) {
  unsigned long long cookie = 0;
  socklen_t len = sizeof cookie;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  if (getsockopt(fd, SOL_SOCKET, 71 /* SO_NETNS_COOKIE */, &cookie, &len) != 0) cookie = 0;
  close(fd);
  return cookie;
}

static int get_bool_prop(napi_env env, napi_value obj, const char *name, bool *out) {
  napi_value v;
  napi_valuetype t;
  *out = false;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return 0;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (t == napi_undefined) return 1;
  return t == napi_boolean && napi_get_value_bool(env, v, out) == napi_ok;
}

static napi_value attach(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1) {
    throw_type(env, "attach: expected an options object");
    return NULL;
  }
  if (g_obj) {
    napi_throw_error(env, "EBUSY", "attach: stealth programs are already attached by this process");
    return NULL;
  }
  char object_path[4096], cgroup_path[4096], comm[64], ip[64];
  unsigned int port = 0;
  bool scope_netns = false;
  if (!get_bool_prop(env, argv[0], "scopeToNetns", &scope_netns) ||
      !get_string_prop(env, argv[0], "object", object_path, sizeof object_path) ||
      !get_string_prop(env, argv[0], "cgroup", cgroup_path, sizeof cgroup_path) ||
      !get_string_prop(env, argv[0], "comm", comm, sizeof comm) ||
      !get_string_prop(env, argv[0], "proxyIp", ip, sizeof ip) ||
      !get_u32_prop(env, argv[0], "proxyPort", &port)) {
    throw_type(env, "attach: expected { object, cgroup, comm, proxyIp: string, proxyPort: number, scopeToNetns?: boolean }");
    return NULL;
  }
  size_t comm_len = strlen(comm);
  struct in_addr addr;
  if (comm_len == 0 || comm_len >= COMM_LEN || port == 0 || port > 65535 || inet_pton(AF_INET, ip, &addr) != 1) {
    throw_type(env, "attach: comm must be 1-15 bytes, proxyIp an IPv4 literal, proxyPort 1-65535");
    return NULL;
  }

  g_log_len = 0;
  g_log[0] = '\0';
  libbpf_set_print(on_libbpf_print);

  int cg_fd = open(cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg_fd < 0) {
    int err = errno;
    char what[4200];
    snprintf(what, sizeof what, "open cgroup %s", cgroup_path);
    throw_error(env, err, what);
    return NULL;
  }

  int err = 0;
  const char *step = "";
  g_obj = bpf_object__open_file(object_path, NULL);
  if (!g_obj) {
    err = errno ? errno : EINVAL;
    step = "open the eBPF object";
    goto fail;
  }
  if (bpf_object__load(g_obj) != 0) {
    err = errno ? errno : EINVAL;
    step = "load the eBPF programs (verifier or permissions)";
    goto fail;
  }
  struct bpf_map *cfg_map = bpf_object__find_map_by_name(g_obj, "fault_cfg");
  if (!cfg_map) {
    err = ENOENT;
    step = "find the fault_cfg map";
    goto fail;
  }
  struct fault_config cfg;
  memset(&cfg, 0, sizeof cfg);
  memcpy(cfg.comm, comm, comm_len);
  cfg.comm_len = (unsigned int)comm_len;
  cfg.proxy_tgid = (unsigned int)getpid();
  cfg.proxy_ip4 = addr.s_addr;
  cfg.proxy_port = htons((unsigned short)port);
  cfg.proxy_netns = scope_netns ? own_netns_cookie() : 0;
  unsigned int zero = 0;
  if (bpf_map__update_elem(cfg_map, &zero, sizeof zero, &cfg, sizeof cfg, BPF_ANY) != 0) {
    err = errno ? errno : EINVAL;
    step = "write the configuration map";
    goto fail;
  }
  for (int i = 0; i < N_PROGS; i++) {
    struct bpf_program *prog = bpf_object__find_program_by_name(g_obj, PROG_NAMES[i]);
    if (!prog) {
      err = ENOENT;
      step = "find a program in the eBPF object";
      goto fail;
    }
    g_links[i] = bpf_program__attach_cgroup(prog, cg_fd);
    if (!g_links[i]) {
      err = errno ? errno : EINVAL;
      step = "attach a program to the cgroup";
      goto fail;
    }
  }
  close(cg_fd);

  napi_value result, list;
  if (napi_create_object(env, &result) != napi_ok || napi_create_array(env, &list) != napi_ok) return NULL;
  for (int i = 0; i < N_PROGS; i++) {
    struct bpf_program *prog = bpf_object__find_program_by_name(g_obj, PROG_NAMES[i]);
    struct bpf_prog_info pinfo;
    unsigned int plen = sizeof pinfo;
    memset(&pinfo, 0, sizeof pinfo);
    napi_value item, v;
    if (napi_create_object(env, &item) != napi_ok) return NULL;
    napi_create_string_utf8(env, PROG_NAMES[i], NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, item, "name", v);
    if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &pinfo, &plen) == 0) {
      napi_create_uint32(env, pinfo.id, &v);
      napi_set_named_property(env, item, "id", v);
    }
    napi_set_element(env, list, (uint32_t)i, item);
  }
  napi_set_named_property(env, result, "programs", list);
  napi_value scoped;
  napi_get_boolean(env, cfg.proxy_netns != 0, &scoped);
  napi_set_named_property(env, result, "scopedToNetns", scoped);
  return result;

fail:
  close(cg_fd);
  release();
  {
    char what[256];
    snprintf(what, sizeof what, "cannot %s", step);
    throw_error(env, err, what);
  }
  return NULL;
}

/* others(cgroup) -> [{ pid, comm, proxyIp, proxyPort }]: the configurations of fault stealth
 * instances (ours included) whose fault_connect4 program is attached to that cgroup. */
static napi_value others(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char cgroup_path[4096];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  size_t len = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], cgroup_path, sizeof cgroup_path, &len) != napi_ok) {
    throw_type(env, "others: expected a cgroup path");
    return NULL;
  }
  int cg_fd = open(cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg_fd < 0) {
    throw_error(env, errno, "open cgroup");
    return NULL;
  }
  unsigned int ids[64], cnt = 64, flags = 0;
  int rc = bpf_prog_query(cg_fd, BPF_CGROUP_INET4_CONNECT, 0, &flags, ids, &cnt);
  int err = errno;
  close(cg_fd);
  if (rc != 0) {
    throw_error(env, err, "query the programs of the cgroup");
    return NULL;
  }
  napi_value list;
  if (napi_create_array(env, &list) != napi_ok) return NULL;
  uint32_t n = 0;
  for (unsigned int i = 0; i < cnt; i++) {
    int pfd = bpf_prog_get_fd_by_id(ids[i]);
    if (pfd < 0) continue;
    unsigned int map_ids[16];
    struct bpf_prog_info pinfo;
    unsigned int plen = sizeof pinfo;
    memset(&pinfo, 0, sizeof pinfo);
    pinfo.nr_map_ids = 16;
    pinfo.map_ids = (unsigned long)map_ids;
    int ok = bpf_obj_get_info_by_fd(pfd, &pinfo, &plen) == 0 && strcmp(pinfo.name, "fault_connect4") == 0;
    close(pfd);
    if (!ok) continue;
    unsigned int nmaps = pinfo.nr_map_ids < 16 ? pinfo.nr_map_ids : 16;
    for (unsigned int m = 0; m < nmaps; m++) {
      int mfd = bpf_map_get_fd_by_id(map_ids[m]);
      if (mfd < 0) continue;
      struct bpf_map_info minfo;
      unsigned int mlen = sizeof minfo;
      memset(&minfo, 0, sizeof minfo);
      struct fault_config cfg;
      unsigned int zero = 0;
      int found = bpf_obj_get_info_by_fd(mfd, &minfo, &mlen) == 0 && strcmp(minfo.name, "fault_cfg") == 0 &&
                  minfo.value_size == sizeof cfg && bpf_map_lookup_elem(mfd, &zero, &cfg) == 0;
      close(mfd);
      if (!found) continue;
      napi_value item, v;
      char ip[INET_ADDRSTRLEN] = "";
      struct in_addr a = {.s_addr = cfg.proxy_ip4};
      inet_ntop(AF_INET, &a, ip, sizeof ip);
      unsigned int clen = cfg.comm_len < COMM_LEN ? cfg.comm_len : COMM_LEN - 1;
      if (napi_create_object(env, &item) != napi_ok) return NULL;
      napi_create_uint32(env, cfg.proxy_tgid, &v);
      napi_set_named_property(env, item, "pid", v);
      napi_create_string_latin1(env, cfg.comm, clen, &v);
      napi_set_named_property(env, item, "comm", v);
      napi_create_string_utf8(env, ip, NAPI_AUTO_LENGTH, &v);
      napi_set_named_property(env, item, "proxyIp", v);
      napi_create_uint32(env, ntohs((unsigned short)cfg.proxy_port), &v);
      napi_set_named_property(env, item, "proxyPort", v);
      napi_set_element(env, list, n++, item);
      break;
    }
  }
  return list;
}

static napi_value detach(napi_env env, napi_callback_info info) {
  (void)info;
  release();
  napi_value undef;
  napi_get_undefined(env, &undef);
  return undef;
}

static napi_value libbpf_version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  if (napi_create_string_utf8(env, libbpf_version_string(), NAPI_AUTO_LENGTH, &v) != napi_ok) return NULL;
  return v;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"attach", NULL, attach, NULL, NULL, NULL, napi_enumerable, NULL},
      {"detach", NULL, detach, NULL, NULL, NULL, napi_enumerable, NULL},
      {"others", NULL, others, NULL, NULL, NULL, napi_enumerable, NULL},
      {"libbpfVersion", NULL, libbpf_version, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
