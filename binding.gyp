{
  "variables": {
    "have_libbpf%": "<!(node scripts/detect-libbpf.js)"
  },
  "targets": [
    {
      "target_name": "fault_native",
      "sources": ["native/fault_native.c", "native/fault_relay.c"],
      "libraries": ["-lpthread"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "cflags_c": ["-std=gnu11"]
    }
  ],
  "conditions": [
    ["have_libbpf==1", {
      "targets": [
        {
          "target_name": "fault_stealth",
          "sources": ["native/fault_stealth.c"],
          "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
          "cflags": ["-Wall", "-Wextra", "-O2"],
          "cflags_c": ["-std=gnu11"],
          "libraries": ["-lbpf"]
        }
      ]
    }]
  ]
}
