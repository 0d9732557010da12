/* cli_inspect.c — `tcc-ml inspect` end to end (registered only when the tcc-ml target exists;
 * its path comes in $TCC_ML): every shared model prints with exit 0 (unbound symbolic dims named
 * in a note on stderr, none once --input-shape binds them), all three formats, and bad input
 * (models the test writes itself, bad flags) gives exactly one line
 * "tcc-ml: error: FILE: ..." and exit code 1. */
#include "onnx_builder.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[64], out_path[128], err_path[128];
static char out_text[1 << 22], err_text[1 << 14];

static void slurp(const char *path, char *buf, size_t n) {
  FILE *f = fopen(path, "rb");
  size_t r = f ? fread(buf, 1, n - 1, f) : 0;
  buf[r] = 0;
  if (f) fclose(f);
}

/* Runs tcc-ml with `args`; returns the exit code, output in out_text / err_text. */
static int run(const char *args) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>'%s'", getenv("TCC_ML"), args, out_path, err_path);
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

#define EXPECT_ONE_LINE_ERROR(args, prefix, ...)                                                   \
  do {                                                                                             \
    int rc_ = run(args);                                                                           \
    const char *subs_[] = {__VA_ARGS__};                                                           \
    CHECK_MSG(rc_ == 1, "%s: exit %d", args, rc_);                                                 \
    CHECK_MSG(count_lines(err_text) == 1 && !strncmp(err_text, prefix, strlen(prefix)),            \
              "%s: stderr: %s", args, err_text);                                                   \
    for (size_t k_ = 0; k_ < sizeof subs_ / sizeof subs_[0]; k_++)                                 \
      CHECK_MSG(strstr(err_text, subs_[k_]) != NULL, "%s: '%s' not in: %s", args, subs_[k_],       \
                err_text);                                                                         \
  } while (0)

static void write_model(const char *name, const Onnx__ModelProto *m, size_t cut) {
  char path[256];
  size_t len;
  uint8_t *buf = mb_pack(m, &len);
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  CHECK(mb_write(path, buf, cut ? cut : len) == 0);
}

static void test_models(void) {
  const char *shared = tcc_test_shared_dir();
  struct {
    const char *file, *shape, *symbol;
  } models[] = {
      {"squeezenet1_1/model.onnx", NULL, NULL},
      {"mobilenet_v2/model.onnx", NULL, NULL},
      {"resnet18_bn/model.onnx", NULL, NULL},
      {"bert_tiny/model.onnx", NULL, NULL},
      {"light_resnet50/model.onnx", NULL, NULL},
      {"light_squeezenet/model.onnx", NULL, NULL},
      {"light_inception_v1/model.onnx", NULL, NULL},
      {"light_vgg19/model.onnx", NULL, NULL},
      {"mnist-keras-small/model.onnx", "conv2d_5_input=1x28x28x1", "N"},
      {"mnist-pytorch-opset11/model.onnx", "input=1x1x28x28", "batch_size"},
      {"mnist-pytorch-extdata/mnist.onnx", "input=8x1x28x28", "s77"},
  };
  for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
    char args[2048];
    snprintf(args, sizeof args, "inspect '%s/models/%s'", shared, models[i].file);
    int rc = run(args);
    CHECK_MSG(rc == 0, "%s: exit %d: %s", models[i].file, rc, err_text);
    CHECK_MSG(strstr(out_text, "output %") != NULL, "%s: no outputs printed", models[i].file);
    if (models[i].symbol) {
      CHECK_MSG(strstr(err_text, "tcc-ml: note: unbound symbolic dims:") &&
                    strstr(err_text, models[i].symbol),
                "%s: %s", models[i].file, err_text);
      snprintf(args, sizeof args, "inspect '%s/models/%s' --input-shape %s", shared, models[i].file,
               models[i].shape);
      rc = run(args);
      CHECK_MSG(rc == 0 && err_text[0] == 0, "%s bound: exit %d: %s", models[i].file, rc, err_text);
      CHECK_MSG(strstr(out_text, "symbols:") == NULL, "%s: symbols still printed", models[i].file);
    } else {
      CHECK_MSG(err_text[0] == 0, "%s: stderr: %s", models[i].file, err_text);
    }
  }
  char args[2048];
  snprintf(args, sizeof args, "inspect --format json '%s/models/mnist-pytorch-opset11/model.onnx'",
           shared);
  CHECK(run(args) == 0 && out_text[0] == '{' && strstr(out_text, "\"dtype\": \"float32\""));
  snprintf(args, sizeof args, "inspect '%s/models/squeezenet1_1/model.onnx' --format=dot", shared);
  CHECK(run(args) == 0 && !strncmp(out_text, "digraph", 7) && strstr(out_text, "->"));
}

static void test_bad_input(void) {
  char path[256], args[1024], prefix[512];
  /* A truncated model. */
  Onnx__ModelProto *m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "2");
  mb_node(m->graph, "Relu", "r", "x", "y");
  mb_output(m->graph, "y", 1, "2");
  size_t len;
  mb_pack(m, &len);
  write_model("trunc.onnx", m, len - 4);
  snprintf(path, sizeof path, "%s/trunc.onnx", tmpdir);
  snprintf(args, sizeof args, "inspect '%s'", path);
  snprintf(prefix, sizeof prefix, "tcc-ml: error: %s: ", path);
  EXPECT_ONE_LINE_ERROR(args, prefix, "not a valid ONNX model");

  /* Several unsupported ops: all named in one line. */
  m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "2");
  mb_node(m->graph, "NoSuchOpA", "na", "x", "a");
  mb_node(m->graph, "NoSuchOpB", "nb", "a", "y");
  mb_output(m->graph, "y", 1, "2");
  write_model("unknown.onnx", m, 0);
  snprintf(path, sizeof path, "%s/unknown.onnx", tmpdir);
  snprintf(args, sizeof args, "inspect '%s'", path);
  snprintf(prefix, sizeof prefix, "tcc-ml: error: %s: ", path);
  EXPECT_ONE_LINE_ERROR(args, prefix, "NoSuchOpA", "NoSuchOpB", "'na'", "'nb'");

  /* A node name with a newline still gives one line. */
  m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "2");
  mb_node(m->graph, "Relu", "evil\nname", "x,missing", "y");
  mb_output(m->graph, "y", 1, "2");
  write_model("newline.onnx", m, 0);
  snprintf(path, sizeof path, "%s/newline.onnx", tmpdir);
  snprintf(args, sizeof args, "inspect '%s'", path);
  snprintf(prefix, sizeof prefix, "tcc-ml: error: %s: node 'evil\\nname' (Relu): ", path);
  EXPECT_ONE_LINE_ERROR(args, prefix, "input 'missing'");

  /* External data escaping the folder. */
  m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "2");
  mb_node(m->graph, "Relu", "r", "x", "y");
  mb_output(m->graph, "y", 1, "2");
  Onnx__TensorProto *t = mb_tensor("w", 1, 1, (int64_t[]){4});
  mb_external(t, "../../etc/passwd", NULL, NULL);
  mb_initializer(m->graph, t);
  write_model("escape.onnx", m, 0);
  snprintf(path, sizeof path, "%s/escape.onnx", tmpdir);
  snprintf(args, sizeof args, "inspect '%s'", path);
  snprintf(prefix, sizeof prefix, "tcc-ml: error: %s: ", path);
  EXPECT_ONE_LINE_ERROR(args, prefix, "leaves the model's folder");

  /* Flags. */
  snprintf(path, sizeof path, "%s/unknown.onnx", tmpdir);
  snprintf(args, sizeof args, "inspect '%s' --bogus", path);
  EXPECT_ONE_LINE_ERROR(args, "tcc-ml: error: inspect: ", "unknown option '--bogus'");
  snprintf(args, sizeof args, "inspect '%s' --format yaml", path);
  EXPECT_ONE_LINE_ERROR(args, "tcc-ml: error: inspect: ", "unknown --format 'yaml'");
  snprintf(args, sizeof args, "inspect '%s' --format", path);
  EXPECT_ONE_LINE_ERROR(args, "tcc-ml: error: inspect: ", "needs a value");
  snprintf(args, sizeof args, "inspect '%s' --input-shape x=1xq", path);
  EXPECT_ONE_LINE_ERROR(args, "tcc-ml: error: --input-shape 'x=1xq'", "dims are separated");
  snprintf(args, sizeof args, "inspect '%s/no-such.onnx'", tmpdir);
  EXPECT_ONE_LINE_ERROR(args, "tcc-ml: error: ", "no-such.onnx", "cannot open");
  CHECK(run("inspect --help") == 0 && strstr(out_text, "usage: tcc-ml inspect"));

  const char *names[] = {"trunc.onnx", "unknown.onnx", "newline.onnx", "escape.onnx"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
    unlink(path);
  }
}

int main(void) {
  if (!getenv("TCC_ML")) {
    fprintf(stderr, "TCC_ML is not set\n");
    return 1;
  }
  snprintf(tmpdir, sizeof tmpdir, "/tmp/tcc_cli_XXXXXX");
  if (!mkdtemp(tmpdir)) return 1;
  snprintf(out_path, sizeof out_path, "%s/stdout", tmpdir);
  snprintf(err_path, sizeof err_path, "%s/stderr", tmpdir);
  test_models();
  test_bad_input();
  unlink(out_path);
  unlink(err_path);
  rmdir(tmpdir);
  mb_free_all();
  return tcc_test_finish("frontend_cli_inspect");
}
