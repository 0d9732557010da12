/* test_nn_conformance.c — the NN op families' computes (conv, pool, matmul, norm, softmax, quant,
 * resize) against the ONNX node tests of $TCC_SHARED_DIR/onnx-node-tests.
 *
 * Each single-node test folder whose op is one of ours runs through nn_harness (import, infer,
 * compute, evaluate, compare with output_K.pb — the ONNX reference outputs). Multi-node
 * ("_expanded") tests are not counted. tests/ops_nn/compute_known_failures.txt lists the tests
 * expected to fail, each with its reason: the test fails when an unlisted test fails (a
 * regression) or a listed one passes (update the list). Usage: test_nn_conformance [SHARD NSHARDS]
 * (tests are dealt round-robin to shards so ctest -j2 balances them). Prints
 * "N passed, N failed, N skipped"; TCC_NN_VERBOSE=1 prints every test's result. */
#include "nn_harness.h"
#include "testutil.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const prefixes[] = {"test_conv",
                                       "test_basic_conv",
                                       "test_qlinearconv",
                                       "test_maxpool",
                                       "test_averagepool",
                                       "test_globalaveragepool",
                                       "test_globalmaxpool",
                                       "test_lppool",
                                       "test_gemm",
                                       "test_matmul",
                                       "test_qlinearmatmul",
                                       "test_einsum",
                                       "test_batchnorm",
                                       "test_instancenorm",
                                       "test_layer_normalization",
                                       "test_group_normalization",
                                       "test_lrn",
                                       "test_mvn",
                                       "test_rms_normalization",
                                       "test_l1normalization",
                                       "test_l2normalization",
                                       "test_lpnormalization",
                                       "test_nllloss",
                                       "test_sce_",
                                       "test_attention",
                                       "test_gridsample",
                                       "test_rotary",
                                       "test_affine_grid",
                                       "test_col2im",
                                       "test_deform_conv",
                                       "test_basic_deform_conv",
                                       "test_causal_conv_with_state",
                                       "test_linear_attention",
                                       "test_roialign",
                                       "test_maxunpool",
                                       "test_rnn",
                                       "test_simple_rnn",
                                       "test_gru",
                                       "test_lstm",
                                       "test_softmax",
                                       "test_logsoftmax",
                                       "test_hardmax",
                                       "test_quantizelinear",
                                       "test_dequantizelinear",
                                       "test_dynamicquantizelinear",
                                       "test_resize",
                                       "test_upsample",
                                       NULL};

static const char *const ops[] = {"Conv",
                                  "ConvTranspose",
                                  "ConvInteger",
                                  "QLinearConv",
                                  "MaxPool",
                                  "AveragePool",
                                  "GlobalAveragePool",
                                  "GlobalMaxPool",
                                  "LpPool",
                                  "MatMul",
                                  "Gemm",
                                  "Einsum",
                                  "MatMulInteger",
                                  "QLinearMatMul",
                                  "BatchNormalization",
                                  "InstanceNormalization",
                                  "LayerNormalization",
                                  "GroupNormalization",
                                  "LRN",
                                  "MeanVarianceNormalization",
                                  "Softmax",
                                  "LogSoftmax",
                                  "Hardmax",
                                  "QuantizeLinear",
                                  "DequantizeLinear",
                                  "DynamicQuantizeLinear",
                                  "Resize",
                                  "Upsample",
                                  "RMSNormalization",
                                  "LpNormalization",
                                  "NegativeLogLikelihoodLoss",
                                  "SoftmaxCrossEntropyLoss",
                                  "Attention",
                                  "GridSample",
                                  "RotaryEmbedding",
                                  "AffineGrid",
                                  "Col2Im",
                                  "DeformConv",
                                  "CausalConvWithState",
                                  "LinearAttention",
                                  "RoiAlign",
                                  "MaxUnpool",
                                  "RNN",
                                  "GRU",
                                  "LSTM",
                                  NULL};

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool wanted(const char *name) {
  for (int i = 0; prefixes[i]; i++)
    if (!strncmp(name, prefixes[i], strlen(prefixes[i]))) return true;
  return false;
}

typedef struct known {
  char name[256];
  bool seen;
} known;

static int load_known(known **out) {
  const char *src = getenv("TCC_SOURCE_DIR");
  char p[4096];
  snprintf(p, sizeof p, "%s/tests/ops_nn/compute_known_failures.txt", src ? src : ".");
  FILE *f = fopen(p, "r");
  *out = NULL;
  if (!f) {
    fprintf(stderr, "note: %s not found; expecting no failures\n", p);
    return 0;
  }
  int n = 0, cap = 0;
  known *v = NULL;
  char line[2048];
  while (fgets(line, sizeof line, f)) {
    char name[256];
    if (line[0] == '#' || sscanf(line, "%255s", name) != 1) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      v = realloc(v, (size_t)cap * sizeof *v);
    }
    snprintf(v[n].name, sizeof v[n].name, "%s", name);
    v[n].seen = false;
    n++;
  }
  fclose(f);
  *out = v;
  return n;
}

int main(int argc, char **argv) {
  int shard = argc > 2 ? atoi(argv[1]) : 0, nshards = argc > 2 ? atoi(argv[2]) : 1;
  if (nshards < 1 || shard < 0 || shard >= nshards) {
    fprintf(stderr, "usage: %s [SHARD NSHARDS]\n", argv[0]);
    return 2;
  }
  bool verbose = getenv("TCC_NN_VERBOSE") && atoi(getenv("TCC_NN_VERBOSE"));
  const char *only = getenv("TCC_NN_ONLY");
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/onnx-node-tests", tcc_test_shared_dir());
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "SKIP: %s not found\n", dir);
    return 0;
  }
  char **names = NULL;
  int nn = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!wanted(e->d_name) || strstr(e->d_name, "_expanded")) continue;
    if (only && !strstr(e->d_name, only)) continue;
    if (nn == cap) {
      cap = cap ? cap * 2 : 256;
      names = realloc(names, (size_t)cap * sizeof *names);
    }
    names[nn++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, (size_t)nn, sizeof *names, cmp_str);
  known *kn;
  int nk = load_known(&kn);
  int pass = 0, failn = 0, skip = 0;
  for (int i = shard; i < nn; i += nshards) {
    char path[8192], why[1024];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    nn_result r = nn_run_node_test(path, ops, why, sizeof why);
    bool listed = false;
    for (int k = 0; k < nk; k++)
      if (!strcmp(kn[k].name, names[i])) {
        listed = true;
        kn[k].seen = true;
      }
    if (r == NN_SKIP) {
      skip++;
      if (verbose) printf("SKIP %s: %s\n", names[i], why);
      continue;
    }
    if (r == NN_PASS) {
      pass++;
      if (verbose) printf("PASS %s\n", names[i]);
      CHECK_MSG(!listed, "%s passes but is listed in compute_known_failures.txt: remove it",
                names[i]);
    } else {
      failn++;
      if (verbose || !listed) printf("FAIL %s: %s\n", names[i], why);
      CHECK_MSG(listed, "%s fails (not listed in compute_known_failures.txt): %s", names[i], why);
    }
  }
  printf("%d passed, %d failed, %d skipped\n", pass, failn, skip);
  for (int i = 0; i < nn; i++)
    free(names[i]);
  free(names);
  free(kn);
  return tcc_test_finish("test_nn_conformance");
}
