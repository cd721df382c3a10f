{
  "targets": [
    {
      "target_name": "clipkit_blas",
      "sources": [
        "src/addon.cc",
        "src/adamw.cc",
        "src/attention.cc",
        "src/average-pool.cc",
        "src/batch-norm.cc",
        "src/bias-activation.cc",
        "src/binary.cc",
        "src/conv2d.cc",
        "src/gelu.cc",
        "src/gemm.cc",
        "src/layer-norm.cc",
        "src/openblas-library.cc",
        "src/reduce.cc",
        "src/sgemm.cc",
        "src/sgemm-avx2.cc",
        "src/sgemm-sse2.cc",
        "src/softmax.cc",
        "src/strided-copy.cc",
        "src/thread-pool.cc",
        "src/unary.cc"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-O3", "-std=c++17", "-fexceptions", "-fno-trapping-math"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldl", "-lpthread"]
    }
  ]
}
