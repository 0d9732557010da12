/* cli_harden.c — `tcc-ml` against a hostile user (its path comes in $TCC_ML): names that try to
 * break the generated header, output paths that would overwrite each other or the model, and
 * other bad input; each must give exactly one line "tcc-ml: error: ..." and exit code 1, or (for
 * the header) a header that compiles and holds the names only escaped. */
#include "onnx_builder.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[64], out_path[128], err_path[128];
static char out_text[1 << 20], err_text[1 << 14];

static void slurp(const char *path, char *buf, size_t n) {
  FILE *f = fopen(path, "rb");
  size_t r = f ? fread(buf, 1, n - 1, f) : 0;
  buf[r] = 0;
  if (f) fclose(f);
}

/* Runs tcc-ml with `args` (in tmpdir); returns the exit code, output in out_text / err_text. */
static int run(const char *args) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >'%s' 2>'%s'", tmpdir, getenv("TCC_ML"), args,
           out_path, err_path);
  int st = system(cmd);
  slurp(out_path, out_text, sizeof out_text);
  slurp(err_path, err_text, sizeof err_text);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

#define EXPECT_ONE_LINE_ERROR(args, ...)                                                           \
  do {                                                                                             \
    int rc_ = run(args);                                                                           \
    const char *subs_[] = {__VA_ARGS__};                                                           \
    CHECK_MSG(rc_ == 1, "%s: exit %d", args, rc_);                                                 \
    CHECK_MSG(count_lines(err_text) == 1 && !strncmp(err_text, "tcc-ml: error: ", 15),             \
              "%s: stderr: %s", args, err_text);                                                   \
    for (size_t k_ = 0; k_ < sizeof subs_ / sizeof subs_[0]; k_++)                                 \
      CHECK_MSG(strstr(err_text, subs_[k_]) != NULL, "%s: '%s' not in: %s", args, subs_[k_],       \
                err_text);                                                                         \
  } while (0)

static void write_model(const char *name, const Onnx__ModelProto *m) {
  char path[256];
  size_t len;
  uint8_t *buf = mb_pack(m, &len);
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  CHECK(mb_write(path, buf, len) == 0);
}

static long file_size(const char *name) {
  char path[256];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  return stat(path, &st) ? -1 : (long)st.st_size;
}

/* Relu on float[1,4] with the given input / output names. */
static void relu_model(const char *file, const char *in, const char *out) {
  Onnx__ModelProto *m = mb_model(8, 13);
  mb_input(m->graph, in, 1, "1,4");
  Onnx__NodeProto *n = mb_node(m->graph, "Relu", "r", "", "");
  n->n_input = n->n_output = 1;
  n->input = mb_new(sizeof(char *));
  n->output = mb_new(sizeof(char *));
  n->input[0] = mb_str(in);
  n->output[0] = mb_str(out);
  mb_output(m->graph, out, 1, "1,4");
  write_model(file, m);
}

/* Tensor names and the model path go into comments of NAME.h: whatever they hold, the header must
 * compile and carry no directive from them. */
static void test_header_injection(void) {
  relu_model("in*?? #.onnx", "in*/\n#error boom /*",
             "out\\\n#error two ?"
             "?/");
  CHECK_MSG(run("compile 'in*?? #.onnx' -o m.o") == 0, "compile: %s", err_text);
  char path[256], hdr[1 << 14];
  snprintf(path, sizeof path, "%s/m.h", tmpdir);
  slurp(path, hdr, sizeof hdr);
  CHECK_MSG(strstr(hdr, "#error") == NULL || strstr(hdr, "\\x0a#error"), "header: %s", hdr);
  CHECK(strstr(hdr, "\n#error") == NULL);
  CHECK(strstr(hdr, "in\\x2a/\\x0a#error boom /\\x2a") != NULL);
  char cmd[1024];
  snprintf(cmd, sizeof cmd,
           "cd '%s' && echo '#include \"m.h\"' > use.c && cc -std=c11 -Wall -Werror -I'%s/runtime/"
           "include' -fsyntax-only use.c 2>'%s'",
           tmpdir, getenv("TCC_SOURCE_DIR"), err_path);
  int st = system(cmd);
  slurp(err_path, err_text, sizeof err_text);
  CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "header does not compile: %s", err_text);
}

/* No output may overwrite another output or the model: each such command is refused with one line
 * and the model is left as it was. */
static void test_output_collisions(void) {
  relu_model("model.onnx", "x", "y");
  long size = file_size("model.onnx");
  CHECK(size > 0);
  EXPECT_ONE_LINE_ERROR("compile model.onnx -o mm.h --name mm", "mm.h", "same file");
  EXPECT_ONE_LINE_ERROR("compile model.onnx -o q.o --params q.h --name q", "q.h", "same file");
  EXPECT_ONE_LINE_ERROR("compile model.onnx -o model.onnx --name n", "model.onnx", "same file");
  EXPECT_ONE_LINE_ERROR("compile model.onnx -o p.o --params model.onnx", "model.onnx", "same file");
  EXPECT_ONE_LINE_ERROR("compile model.onnx -o p.o --params ./p.o", "p.o", "same file");
  CHECK(file_size("model.onnx") == size);
  CHECK(file_size("mm.h") == -1 && file_size("q.h") == -1 && file_size("p.o") == -1);
  CHECK_MSG(run("compile model.onnx -o ok.o --params ok.bin") == 0, "%s", err_text);
  CHECK(file_size("ok.o") > 0 && file_size("ok.h") > 0 && file_size("ok.bin") >= 0);
}

/* Shapes whose element count or byte size overflows int64 are refused at inference, naming the
 * node and the shape; Range's length too (it used to wrap to 0). */
static void test_huge_shapes(void) {
  int64_t one = 1, two = 2, big[2] = {(int64_t)1 << 40, (int64_t)1 << 30};
  Onnx__ModelProto *m = mb_model(8, 13);
  Onnx__TensorProto *t = mb_tensor("s", 7 /* INT64 */, 1, &two);
  mb_raw(t, big, sizeof big);
  mb_initializer(m->graph, t);
  mb_node(m->graph, "ConstantOfShape", "cos", "s", "y");
  mb_output(m->graph, "y", 1, NULL);
  write_model("huge_cos.onnx", m);
  EXPECT_ONE_LINE_ERROR("compile huge_cos.onnx -o h1.o",
                        "huge_cos.onnx: node 'cos' (ConstantOfShape): ",
                        "[1099511627776, 1073741824]", "overflows int64");

  m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "1,1");
  mb_initializer(m->graph, t);
  mb_node(m->graph, "Expand", "ex", "x,s", "y");
  mb_output(m->graph, "y", 1, NULL);
  write_model("huge_expand.onnx", m);
  EXPECT_ONE_LINE_ERROR("compile huge_expand.onnx -o h2.o",
                        "node 'ex' (Expand): ", "[1099511627776, 1073741824]", "overflows int64");

  /* 2^32 x 2^29 float32 elements: the count fits, the byte size (2^63) does not. */
  m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "A,B");
  mb_node(m->graph, "Relu", "r", "x", "y");
  mb_output(m->graph, "y", 1, "A,B");
  write_model("sym.onnx", m);
  EXPECT_ONE_LINE_ERROR("compile sym.onnx --input-shape x=4294967296x536870912 -o h3.o",
                        "node 'r' (Relu): ", "[4294967296, 536870912]", "overflows int64");

  m = mb_model(8, 13);
  float v[3] = {0.0f, 1e30f, 1e-30f};
  const char *names[3] = {"a", "b", "c"};
  for (int i = 0; i < 3; i++) {
    t = mb_tensor(names[i], 1 /* FLOAT */, 0, &one);
    mb_raw(t, &v[i], sizeof v[i]);
    mb_initializer(m->graph, t);
  }
  mb_node(m->graph, "Range", "rg", "a,b,c", "y");
  mb_output(m->graph, "y", 1, NULL);
  write_model("huge_range.onnx", m);
  EXPECT_ONE_LINE_ERROR("compile huge_range.onnx -o h4.o",
                        "node 'rg' (Range): ", "must fit in int64");
}

/* Writes a 1-D int64 .npy file. */
static void write_npy_i64(const char *name, const int64_t *v, int n) {
  char path[256], hdr[128];
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  int hl =
      snprintf(hdr, sizeof hdr, "{'descr': '<i8', 'fortran_order': False, 'shape': (%d,), }", n);
  while ((10 + hl + 1) % 64)
    hdr[hl++] = ' ';
  hdr[hl++] = '\n';
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  if (!f) return;
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)hl, 0};
  fwrite(pre, 1, 10, f);
  fwrite(hdr, 1, (size_t)hl, f);
  fwrite(v, sizeof *v, (size_t)n, f);
  fclose(f);
}

/* Gather: a constant out-of-range index is an error at compile time (naming node, index and
 * bound); an out-of-range index at run time must not read outside the data (it used to crash);
 * it is clamped into range. */
static void test_gather_bounds(void) {
  int64_t four = 4, one = 1, seven = 7;
  float d[4] = {10, 11, 12, 13};
  Onnx__ModelProto *m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "1,4");
  Onnx__TensorProto *t = mb_tensor("c", 7, 1, &one);
  mb_raw(t, &seven, sizeof seven);
  mb_initializer(m->graph, t);
  Onnx__NodeProto *n = mb_node(m->graph, "Gather", "gc", "x,c", "y");
  mb_attr_int(n, "axis", 1);
  mb_output(m->graph, "y", 1, "1,1");
  write_model("gather_const.onnx", m);
  EXPECT_ONE_LINE_ERROR("compile gather_const.onnx -o g1.o", "node 'gc' (Gather): ", "index 7",
                        "dim 4");

  m = mb_model(8, 13);
  mb_input(m->graph, "i", 7, "2");
  t = mb_tensor("d", 1, 1, &four);
  mb_raw(t, d, sizeof d);
  mb_initializer(m->graph, t);
  mb_node(m->graph, "Gather", "g0", "d,i", "y");
  mb_output(m->graph, "y", 1, "2");
  write_model("gather.onnx", m);
  int64_t ok[2] = {1, -1}, bad[2] = {2, 1000000000};
  write_npy_i64("ok.npy", ok, 2);
  write_npy_i64("bad.npy", bad, 2);
  CHECK_MSG(run("run gather.onnx --input ok.npy") == 0 && strstr(out_text, " 11 13"), "%s%s",
            out_text, err_text);
  /* Duplicate inputs and more inputs than the model has. */
  EXPECT_ONE_LINE_ERROR("run gather.onnx --input i=ok.npy --input i=bad.npy",
                        "gather.onnx: ", "'i' given twice");
  EXPECT_ONE_LINE_ERROR("run gather.onnx --input ok.npy --input bad.npy",
                        "gather.onnx: ", "the model has 1 input");
  /* A .npy whose shape's byte size overflows: refused, not wrapped to a small size. */
  {
    char path[256], hdr[128];
    snprintf(path, sizeof path, "%s/huge.npy", tmpdir);
    int hl = snprintf(hdr, sizeof hdr,
                      "{'descr': '<i8', 'fortran_order': False, 'shape': (4611686018427387904, "
                      "4), }");
    while ((10 + hl + 1) % 64)
      hdr[hl++] = ' ';
    hdr[hl++] = '\n';
    FILE *f = fopen(path, "wb");
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)hl, 0};
    if (f) {
      fwrite(pre, 1, 10, f);
      fwrite(hdr, 1, (size_t)hl, f);
      fclose(f);
    }
    EXPECT_ONE_LINE_ERROR("run gather.onnx --input huge.npy", "huge.npy", "too large");
  }
  int rc = run("run gather.onnx --input bad.npy");
  CHECK_MSG(rc == 0 || rc == 1, "out-of-range index at run time: exit %d: %s", rc, err_text);
}

/* `tcc-ml test` on a missing path or on a path without tests is an error, not "0 passed";
 * --match (advertised by --help) selects tests. */
static void test_test_paths(void) {
  EXPECT_ONE_LINE_ERROR("test no/such/dir", "no/such/dir", "No such file or directory");
  relu_model("lone.onnx", "x", "y");
  EXPECT_ONE_LINE_ERROR("test lone.onnx", "lone.onnx", "no test found");
  CHECK(run("test --help") == 0 && strstr(out_text, "--match"));
  /* A test folder (its data set empty): --match selecting nothing is an error. */
  char cmd[512];
  snprintf(cmd, sizeof cmd,
           "mkdir -p '%s/suite/test_relu/test_data_set_0' && cp '%s/lone.onnx' "
           "'%s/suite/test_relu/model.onnx'",
           tmpdir, tmpdir, tmpdir);
  CHECK(system(cmd) == 0);
  EXPECT_ONE_LINE_ERROR("test --match nothing_like_it suite", "no test left");
  int rc = run("test --match relu suite");
  CHECK_MSG(strstr(out_text, "test_relu") != NULL, "rc %d: %s %s", rc, out_text, err_text);
}

/* Message form: one line per failure, naming the file and node; unsupported ops all listed. */
static void test_messages(void) {
  Onnx__ModelProto *m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "1,4");
  mb_node(m->graph, "FooBar", "weird", "x", "t");
  mb_node(m->graph, "BazQux", "odd\nname", "t", "y");
  mb_output(m->graph, "y", 1, "1,4");
  write_model("unsup.onnx", m);
  EXPECT_ONE_LINE_ERROR("compile unsup.onnx -o u.o",
                        "unsup.onnx: node 'weird' (FooBar): unsupported operator; ",
                        "node 'odd\\nname' (BazQux): unsupported operator");
  m = mb_model(8, 13);
  mb_input(m->graph, "s", 8 /* STRING */, "2");
  mb_node(m->graph, "Identity", "id", "s", "y");
  mb_output(m->graph, "y", 8, "2");
  write_model("str.onnx", m);
  EXPECT_ONE_LINE_ERROR("compile str.onnx -o s.o", "str.onnx: node 'id' (Identity): ", "string");
  relu_model("r.onnx", "x", "y");
  EXPECT_ONE_LINE_ERROR("compile r.onnx -o no/such/dir/r.o", "no/such/dir/r.o",
                        "cannot open for writing: No such file or directory");
  EXPECT_ONE_LINE_ERROR("compile r.onnx -o r.o --mcpu no_such_cpu", "r.onnx: ", "no_such_cpu");
  m = mb_model(8, 99);
  mb_input(m->graph, "x", 1, "1,4");
  mb_node(m->graph, "Relu", "r", "x", "y");
  mb_output(m->graph, "y", 1, "1,4");
  write_model("op99.onnx", m);
  CHECK(run("compile op99.onnx -o o99.o") == 0 && strstr(err_text, "warning: op99.onnx: opset 99"));
}

/* `tcc-ml test`'s numeric options are checked in full (they used to go through atoi/atof: "abc"
 * was 0, "-1" a negative limit, "0/1junk" a shard); --mem 0 (no limit) is documented. Runs after
 * test_test_paths (its suite/ folder). */
static void test_test_options(void) {
  EXPECT_ONE_LINE_ERROR("test --timeout abc suite", "--timeout 'abc'", "integer", "seconds");
  EXPECT_ONE_LINE_ERROR("test --timeout -1 suite", "--timeout '-1'");
  EXPECT_ONE_LINE_ERROR("test --timeout 0 suite", "--timeout '0'");
  EXPECT_ONE_LINE_ERROR("test --timeout 5s suite", "--timeout '5s'");
  EXPECT_ONE_LINE_ERROR("test --rtol -1 suite", "--rtol '-1'", "finite number >= 0");
  EXPECT_ONE_LINE_ERROR("test --rtol nan suite", "--rtol 'nan'");
  EXPECT_ONE_LINE_ERROR("test --atol 1e999 suite", "--atol '1e999'");
  EXPECT_ONE_LINE_ERROR("test --atol '' suite", "--atol ''");
  EXPECT_ONE_LINE_ERROR("test --mem 99999999999999999999 suite", "--mem '99999999999999999999'",
                        "megabytes");
  EXPECT_ONE_LINE_ERROR("test --mem -5 suite", "--mem '-5'");
  EXPECT_ONE_LINE_ERROR("test --shard 0/1junk suite", "--shard '0/1junk'", "0 <= I < N");
  EXPECT_ONE_LINE_ERROR("test --shard 1/1 suite", "--shard '1/1'");
  EXPECT_ONE_LINE_ERROR("test --shard -1/2 suite", "--shard '-1/2'");
  EXPECT_ONE_LINE_ERROR("test --shard /2 suite", "--shard '/2'");
  EXPECT_ONE_LINE_ERROR("test --aot --target 'x86_64-linux-gnu;rm' suite", "--target",
                        "target triple");
  CHECK(run("test --help") == 0 && strstr(out_text, "0: no limit"));
  int rc = run("test --timeout 30 --rtol 0 --atol 1e-6 --mem 0 --shard 0/1 suite");
  CHECK_MSG(strstr(out_text, "test_relu") != NULL, "rc %d: %s %s", rc, out_text, err_text);
  /* Over --mem: a FAIL saying the test ran out of memory (it was "crashed with signal 6"). */
  rc = run("test --mem 5 suite");
  CHECK_MSG(rc == 1 && strstr(out_text, "FAIL test_relu: ran out of memory (over the --mem limit"),
            "rc %d: %s %s", rc, out_text, err_text);
}

/* An output that cannot be allocated (Expand to 2^20 x 2^20 float32: 4 TiB, more than any
 * machine here can give) is one error line naming it, exit 1 (it used to abort with SIGABRT). */
static void test_output_oom(void) {
  int64_t two = 2, shape[2] = {(int64_t)1 << 20, (int64_t)1 << 20};
  Onnx__ModelProto *m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "1,1");
  Onnx__TensorProto *t = mb_tensor("s", 7 /* INT64 */, 1, &two);
  mb_raw(t, shape, sizeof shape);
  mb_initializer(m->graph, t);
  mb_node(m->graph, "Expand", "ex", "x,s", "y");
  mb_output(m->graph, "y", 1, NULL);
  write_model("bigout.onnx", m);
  char path[256];
  snprintf(path, sizeof path, "%s/one.npy", tmpdir);
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  if (f) {
    char hdr[128];
    int hl =
        snprintf(hdr, sizeof hdr, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }");
    while ((10 + hl + 1) % 64)
      hdr[hl++] = ' ';
    hdr[hl++] = '\n';
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)hl, 0};
    float one = 1;
    fwrite(pre, 1, 10, f);
    fwrite(hdr, 1, (size_t)hl, f);
    fwrite(&one, sizeof one, 1, f);
    fclose(f);
  }
  /* Under AddressSanitizer a failed malloc must return NULL as it does without. */
  char *saved = getenv("ASAN_OPTIONS") ? strdup(getenv("ASAN_OPTIONS")) : NULL;
  char opts[1024];
  snprintf(opts, sizeof opts, "%s%sallocator_may_return_null=1", saved ? saved : "",
           saved && *saved ? ":" : "");
  setenv("ASAN_OPTIONS", opts, 1);
  int rc = run("run bigout.onnx --input one.npy");
  /* One error line; under AddressSanitizer it may be preceded by its "failed to allocate"
   * warning (allocator_may_return_null), which is not ours. */
  const char *line = err_text;
  if (!strncmp(line, "==", 2) && strstr(line, "AddressSanitizer failed to allocate") &&
      strchr(line, '\n'))
    line = strchr(line, '\n') + 1;
  CHECK_MSG(rc == 1 && count_lines(line) == 1 &&
                !strncmp(line, "tcc-ml: error: bigout.onnx: ", 28) &&
                strstr(line, "cannot allocate 4398046511104 bytes for output 'y'"),
            "rc %d: %s", rc, err_text);
  if (saved)
    setenv("ASAN_OPTIONS", saved, 1);
  else
    unsetenv("ASAN_OPTIONS");
  free(saved);
}

/* --target / --mcpu values are checked before LLVM sees them; an unknown architecture is LLVM's
 * error, on one line. */
static void test_targets(void) {
  relu_model("t.onnx", "x", "y");
  EXPECT_ONE_LINE_ERROR("compile t.onnx -o t.o --target 'x86_64-linux-gnu;rm'",
                        "--target 'x86_64-linux-gnu;rm'", "target triple");
  EXPECT_ONE_LINE_ERROR("compile t.onnx -o t.o --target x86_64-foo-bar-baz-qux",
                        "--target 'x86_64-foo-bar-baz-qux'", "up to 4");
  EXPECT_ONE_LINE_ERROR("compile t.onnx -o t.o --target ''", "--target ''");
  EXPECT_ONE_LINE_ERROR("compile t.onnx -o t.o --target x86_64--gnu", "--target 'x86_64--gnu'");
  EXPECT_ONE_LINE_ERROR("compile t.onnx -o t.o --mcpu ''", "--mcpu ''", "CPU name");
  EXPECT_ONE_LINE_ERROR("compile t.onnx -o t.o --mcpu 'a b'", "--mcpu 'a b'");
  EXPECT_ONE_LINE_ERROR("compile t.onnx -o t.o --target foo-linux-gnu", "t.onnx: ", "foo");
  CHECK(file_size("t.o") == -1 && file_size("t.h") == -1);
  CHECK_MSG(run("compile t.onnx -o t.o --target aarch64-linux-gnu") == 0, "%s", err_text);
  CHECK_MSG(run("compile t.onnx -o t7.o --target armv7a-linux-androideabi") == 0, "%s", err_text);
}

/* A compile that fails leaves no output behind: a header path that is a folder is refused before
 * anything is written (the object used to be written first). */
static void test_failed_compile_writes_nothing(void) {
  relu_model("w.onnx", "x", "y");
  char cmd[512];
  snprintf(cmd, sizeof cmd, "mkdir -p '%s/o/d.h' '%s/o/p.bin'", tmpdir, tmpdir);
  CHECK(system(cmd) == 0);
  EXPECT_ONE_LINE_ERROR("compile w.onnx -o o/d.o", "o/d.h", "Is a directory");
  CHECK(file_size("o/d.o") == -1);
  EXPECT_ONE_LINE_ERROR("compile w.onnx -o o/e.o --params o/p.bin", "o/p.bin", "Is a directory");
  CHECK(file_size("o/e.o") == -1 && file_size("o/e.h") == -1);
  EXPECT_ONE_LINE_ERROR("compile w.onnx -o o", "Is a directory");
}

int main(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/tcc_cli_harden_XXXXXX");
  CHECK(mkdtemp(tmpdir) != NULL);
  snprintf(out_path, sizeof out_path, "%s/stdout.txt", tmpdir);
  snprintf(err_path, sizeof err_path, "%s/stderr.txt", tmpdir);
  test_header_injection();
  test_output_collisions();
  test_huge_shapes();
  test_gather_bounds();
  test_test_paths();
  test_test_options();
  test_targets();
  test_output_oom();
  test_failed_compile_writes_nothing();
  test_messages();
  mb_free_all();
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (!tcc_test_failures) (void)!system(cmd);
  return tcc_test_finish("tools_cli_harden");
}
