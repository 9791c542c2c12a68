{
  "targets": [
    {
      "target_name": "fault_native",
      "sources": ["native/fault_native.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "cflags_c": ["-std=gnu11"]
    }
  ]
}
