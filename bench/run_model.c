/* run_model.c — the timing driver of bench/models_bench.py: links one model compiled by
 * `tcc-ml compile` (its object file and NAME.h) with libtccrt and times NAME_run.
 *
 * Build (models_bench.py does this):
 *   cc -O2 -DMODEL=NAME -include OUTDIR/NAME.h -I runtime/include bench/run_model.c OUTDIR/NAME.o \
 *      build-bench/runtime/libtccrt.a -lm -lpthread -o run_NAME
 *
 * Usage: run_NAME IN_0.bin ... IN_{n-1}.bin OUT_0.bin ... OUT_{m-1}.bin [--loop K]
 *   IN_i.bin    raw dense row-major bytes of input i (exactly NAME_info()->inputs[i].size_bytes)
 *   OUT_j.bin   where output j is written (raw bytes)
 *   --loop K    run K inferences, write the outputs, print the median time and exit (for
 *               `perf record` / `valgrind --tool=callgrind`)
 * Without --loop it serves commands on standard input, one a line, so that the benchmark can
 * interleave it with its peer (ONNX Runtime) in one run:
 *   run K   runs K inferences; prints one line: K wall times in milliseconds, "|", then the K
 *           process CPU times (all threads) of the same inferences in milliseconds
 *   write   writes the outputs of the last inference to the OUT files; prints "ok"
 *   quit    exits (so does end of input)
 * Threads: libtccrt's pool size comes from TCCRT_NUM_THREADS. Errors: a message on stderr and
 * exit code 2 (usage), 3 (I/O) or 4 (NAME_run failed). */
#define _POSIX_C_SOURCE 200809L
#include "tccrt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef MODEL
#error "compile with -DMODEL=NAME -include NAME.h"
#endif
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define MODEL_RUN CAT(MODEL, _run)
#define MODEL_INFO CAT(MODEL, _info)

static double clock_ms(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int write_outputs(const tccrt_model_info *mi, void *const *out, char **paths) {
  for (int j = 0; j < mi->num_outputs; j++) {
    FILE *f = fopen(paths[j], "wb");
    size_t n = mi->outputs[j].size_bytes;
    if (!f || fwrite(out[j], 1, n, f) != n) {
      fprintf(stderr, "run_model: cannot write %s\n", paths[j]);
      if (f) fclose(f);
      return 3;
    }
    if (fclose(f) != 0) return 3;
  }
  return 0;
}

/* Runs k inferences; times[i] gets the wall time of each in ms, cpu[i] (if not NULL) the CPU time
 * of the whole process (every thread of the pool) during it. Returns 0 or 4. */
static int run_k(const void *const *in, void *const *out, int k, double *times, double *cpu) {
  for (int i = 0; i < k; i++) {
    double c0 = cpu ? clock_ms(CLOCK_PROCESS_CPUTIME_ID) : 0;
    double t0 = clock_ms(CLOCK_MONOTONIC);
    int r = MODEL_RUN(in, out);
    times[i] = clock_ms(CLOCK_MONOTONIC) - t0;
    if (cpu) cpu[i] = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (r) {
      fprintf(stderr, "run_model: run failed (%d): %s\n", r, tccrt_last_error());
      return 4;
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  const tccrt_model_info *mi = MODEL_INFO();
  int nin = mi->num_inputs, nout = mi->num_outputs;
  long loop = 0;
  if (argc >= 3 && !strcmp(argv[argc - 2], "--loop")) {
    loop = strtol(argv[argc - 1], NULL, 10);
    argc -= 2;
    if (loop < 1) loop = 1;
  }
  if (argc != 1 + nin + nout) {
    fprintf(stderr, "usage: %s IN_0.bin..IN_%d.bin OUT_0.bin..OUT_%d.bin [--loop K] (model %s)\n",
            argv[0], nin - 1, nout - 1, mi->name);
    return 2;
  }
  void **in = calloc((size_t)nin + 1, sizeof(void *));
  void **out = calloc((size_t)nout + 1, sizeof(void *));
  for (int i = 0; i < nin; i++) {
    size_t n = mi->inputs[i].size_bytes;
    in[i] = malloc(n + 64);
    FILE *f = fopen(argv[1 + i], "rb");
    if (!f || fread(in[i], 1, n, f) != n || fgetc(f) != EOF) {
      fprintf(stderr, "run_model: %s: expected exactly %zu bytes for input '%s'\n", argv[1 + i], n,
              mi->inputs[i].name);
      return 3;
    }
    fclose(f);
  }
  for (int j = 0; j < nout; j++)
    out[j] = calloc(1, mi->outputs[j].size_bytes + 64);
  char **out_paths = argv + 1 + nin;
  const void *const *cin = (const void *const *)in;
  void *const *cout = (void *const *)out;

  if (loop) {
    double *t = malloc(sizeof(double) * (size_t)loop);
    int r = run_k(cin, cout, (int)loop, t, NULL);
    if (r) return r;
    qsort(t, (size_t)loop, sizeof(double), cmp_double);
    printf("median_ms %.4f threads %d\n", t[loop / 2], tccrt_get_num_threads());
    free(t);
    return write_outputs(mi, cout, out_paths);
  }

  char line[128];
  double *times = NULL, *cpu = NULL;
  int cap = 0;
  printf("ready %s threads %d\n", mi->name, tccrt_get_num_threads());
  fflush(stdout);
  while (fgets(line, sizeof line, stdin)) {
    int k;
    if (sscanf(line, "run %d", &k) == 1 && k > 0) {
      if (k > cap) {
        cap = k;
        times = realloc(times, sizeof(double) * (size_t)cap);
        cpu = realloc(cpu, sizeof(double) * (size_t)cap);
      }
      int r = run_k(cin, cout, k, times, cpu);
      if (r) return r;
      for (int i = 0; i < k; i++)
        printf("%.4f ", times[i]);
      printf("|");
      for (int i = 0; i < k; i++)
        printf(" %.4f", cpu[i]);
      printf("\n");
    } else if (!strncmp(line, "write", 5)) {
      int r = write_outputs(mi, cout, out_paths);
      if (r) return r;
      printf("ok\n");
    } else if (!strncmp(line, "quit", 4)) {
      break;
    } else {
      fprintf(stderr, "run_model: unknown command: %s", line);
      return 2;
    }
    fflush(stdout);
  }
  free(times);
  free(cpu);
  return 0;
}
