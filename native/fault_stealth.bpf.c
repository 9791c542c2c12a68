/*
 * fault stealth mode: eBPF programs redirecting the IPv4 TCP connects of chosen processes to the
 * proxy's stealth listener, and telling the proxy where each connection was headed.
 *
 * Compiled for the bpf target by scripts/build-bpf.js into build/bpf/fault_stealth.bpf.o, loaded
 * and attached to the cgroup v2 root by native/fault_stealth.c (one object instance per fault
 * process: every instance has its own maps, so several fault processes capturing different
 * process names coexist through multi-attach links).
 *
 *   fault_connect4  cgroup/connect4   A connect() by a process whose comm starts with the
 *                                     configured name (and that is not the proxy itself) is
 *                                     rewritten to the proxy; the original destination is kept
 *                                     under the socket cookie.
 *   fault_sockops   sockops           When such a socket is established (client side), its
 *                                     4-tuple (client ip:port, proxy ip:port) is bound to the
 *                                     original destination and the cookie entry is dropped.
 *   fault_sockopt   cgroup/getsockopt getsockopt(SOL_IP, SO_ORIGINAL_DST) on a socket accepted
 *                                     by OUR listener is answered from that 4-tuple.
 *
 * Byte orders: addresses and destination ports are kept in network order as the hooks give
 * them; bpf_sock.src_port and bpf_sock_ops.local_port are host order and converted.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define AF_INET 2
#define SOCK_STREAM 1
#define SOL_IP 0
#define SO_ORIGINAL_DST 80
#define COMM_LEN 16

/* Written once by the loader before the programs are attached. */
struct fault_config {
  char comm[COMM_LEN];  /* process name prefix, not NUL-terminated when 15 chars */
  __u32 comm_len;       /* 1..15; 0 disables every redirect */
  __u32 proxy_tgid;     /* the fault process: its own connects are never redirected */
  __u32 proxy_ip4;      /* stealth listener, network order */
  __u32 proxy_port;     /* stealth listener port, network order in the low 16 bits */
  __u32 pad;
  __u64 proxy_netns;    /* netns cookie of the proxy: only connects made there are redirected
                           (a loopback listener is unreachable from any other namespace); 0 = any */
};

struct orig_dst {
  __u32 ip4;   /* network order */
  __u32 port;  /* network order in the low 16 bits */
};

/* A connection as both ends see it: client ip:port -> proxy ip:port (all network order). */
struct tuple4 {
  __u32 client_ip4;
  __u32 proxy_ip4;
  __u16 client_port;
  __u16 proxy_port;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct fault_config);
} fault_cfg SEC(".maps");

/* cookie -> original destination, between connect() and the handshake. LRU: a connect that
 * never completes is eventually evicted instead of leaking. */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 16384);
  __type(key, __u64);
  __type(value, struct orig_dst);
} fault_socks SEC(".maps");

/* 4-tuple -> original destination, for the proxy's getsockopt. LRU: old connections age out;
 * a reused tuple is overwritten by its new connection. */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 65536);
  __type(key, struct tuple4);
  __type(value, struct orig_dst);
} fault_tuples SEC(".maps");

static __always_inline struct fault_config *config(void) {
  __u32 zero = 0;
  return bpf_map_lookup_elem(&fault_cfg, &zero);
}

static __always_inline int comm_matches(const struct fault_config *cfg) {
  char comm[COMM_LEN] = {};
  if (cfg->comm_len == 0 || cfg->comm_len >= COMM_LEN) return 0;
  if (bpf_get_current_comm(comm, sizeof comm) != 0) return 0;
#pragma unroll
  for (int i = 0; i < COMM_LEN - 1; i++) {
    if (i >= cfg->comm_len) break;
    if (comm[i] != cfg->comm[i]) return 0;
  }
  return 1;
}

SEC("cgroup/connect4")
int fault_connect4(struct bpf_sock_addr *ctx) {
  if (ctx->user_family != AF_INET || ctx->type != SOCK_STREAM) return 1;
  struct fault_config *cfg = config();
  if (!cfg || cfg->proxy_ip4 == 0) return 1;
  if ((__u32)(bpf_get_current_pid_tgid() >> 32) == cfg->proxy_tgid) return 1;
  if (!comm_matches(cfg)) return 1;
  if (cfg->proxy_netns != 0 && bpf_get_netns_cookie(ctx) != cfg->proxy_netns) return 1;

  __u32 ip4 = ctx->user_ip4;
  __u32 port = ctx->user_port & 0xffff;
  /* Already headed for the proxy (or rewritten by another instance to its own proxy): leave it. */
  if (ip4 == cfg->proxy_ip4 && port == (cfg->proxy_port & 0xffff)) return 1;

  struct orig_dst dst = {.ip4 = ip4, .port = port};
  __u64 cookie = bpf_get_socket_cookie(ctx);
  if (bpf_map_update_elem(&fault_socks, &cookie, &dst, BPF_ANY) != 0) return 1;
  ctx->user_ip4 = cfg->proxy_ip4;
  ctx->user_port = cfg->proxy_port & 0xffff;
  return 1;
}

SEC("sockops")
int fault_sockops(struct bpf_sock_ops *skops) {
  if (skops->op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB || skops->family != AF_INET) return 1;
  struct fault_config *cfg = config();
  if (!cfg) return 1;
  /* Network order; on little-endian kernels the value sits in the upper 16 bits of the field. */
  __u32 remote_port = skops->remote_port;
  if (remote_port > 0xffff) remote_port >>= 16;
  if (skops->remote_ip4 != cfg->proxy_ip4 || remote_port != (cfg->proxy_port & 0xffff)) return 1;

  __u64 cookie = bpf_get_socket_cookie(skops);
  struct orig_dst *dst = bpf_map_lookup_elem(&fault_socks, &cookie);
  if (!dst) return 1;
  struct orig_dst copy = *dst;
  struct tuple4 key = {
      .client_ip4 = skops->local_ip4,
      .proxy_ip4 = skops->remote_ip4,
      .client_port = bpf_htons((__u16)skops->local_port),
      .proxy_port = (__u16)remote_port,
  };
  bpf_map_update_elem(&fault_tuples, &key, &copy, BPF_ANY);
  bpf_map_delete_elem(&fault_socks, &cookie);
  return 1;
}

struct sockaddr_in4 {
  __u16 family;
  __u16 port;
  __u32 addr;
  __u8 zero[8];
};

SEC("cgroup/getsockopt")
int fault_sockopt(struct bpf_sockopt *ctx) {
  if (ctx->level != SOL_IP || ctx->optname != SO_ORIGINAL_DST) return 1;
  struct bpf_sock *sk = ctx->sk;
  if (!sk || sk->family != AF_INET || sk->protocol != IPPROTO_TCP) return 1;
  struct fault_config *cfg = config();
  if (!cfg) return 1;
  /* Only sockets accepted by our own stealth listener. */
  __u16 local_port = bpf_htons((__u16)sk->src_port);
  if (sk->src_ip4 != cfg->proxy_ip4 || local_port != (__u16)(cfg->proxy_port & 0xffff)) return 1;

  struct tuple4 key = {
      .client_ip4 = sk->dst_ip4,
      .proxy_ip4 = sk->src_ip4,
      .client_port = (__u16)sk->dst_port,
      .proxy_port = local_port,
  };
  struct orig_dst *dst = bpf_map_lookup_elem(&fault_tuples, &key);
  if (!dst) return 1;

  struct sockaddr_in4 *out = ctx->optval;
  if ((void *)(out + 1) > ctx->optval_end) return 1;
  out->family = AF_INET;
  out->port = (__u16)dst->port;
  out->addr = dst->ip4;
  __builtin_memset(out->zero, 0, sizeof out->zero);
  /* Two separate stores: the verifier rejects one merged 64-bit store over optlen + retval. */
  ctx->optlen = sizeof(struct sockaddr_in4);
  asm volatile("" ::: "memory");
  ctx->retval = 0;
  return 1;
}

char LICENSE[] SEC("license") = "GPL";
