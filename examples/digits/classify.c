/* classify.c — classifies 8x8 handwritten digits with a CNN compiled ahead of time by tcc-ml.
 *
 * The model (digits.onnx, made by train.py from scikit-learn's digits) is compiled at build time
 * by tcc_ml_add_model() into an object file and digits.h; this program links it with libtccrt.
 *
 *   digits_classify IMAGES.f32 LABELS.u8 [--limit N] [--expect ACCURACY_FILE --tolerance PTS]
 *
 * IMAGES.f32: N x 64 float32 pixels in [0, 1]; LABELS.u8: N labels. Prints the accuracy; with
 * --expect, exits 1 unless it is within PTS percentage points of the accuracy in the file (the
 * PyTorch accuracy train.py wrote). --limit runs only the first N digits. */
#include "digits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *read_all(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "digits_classify: cannot open %s\n", path);
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  void *buf = malloc(n > 0 ? (size_t)n : 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "digits_classify: cannot read %s\n", path);
    free(buf);
    fclose(f);
    return NULL;
  }
  fclose(f);
  *size = (size_t)n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: digits_classify IMAGES.f32 LABELS.u8 [--limit N] "
                    "[--expect ACCURACY_FILE --tolerance PTS]\n");
    return 2;
  }
  long limit = -1;
  const char *expect = NULL;
  double tol = 0.5;
  for (int i = 3; i < argc; i++) {
    if (!strcmp(argv[i], "--limit") && i + 1 < argc)
      limit = atol(argv[++i]);
    else if (!strcmp(argv[i], "--expect") && i + 1 < argc)
      expect = argv[++i];
    else if (!strcmp(argv[i], "--tolerance") && i + 1 < argc)
      tol = atof(argv[++i]);
    else {
      fprintf(stderr, "digits_classify: unknown argument '%s'\n", argv[i]);
      return 2;
    }
  }
  size_t nimg_bytes, nlab;
  float *images = read_all(argv[1], &nimg_bytes);
  unsigned char *labels = read_all(argv[2], &nlab);
  if (!images || !labels) return 2;
  if (nimg_bytes != nlab * DIGITS_INPUT_0_SIZE) {
    fprintf(stderr, "digits_classify: %zu bytes of images for %zu labels (expected %d each)\n",
            nimg_bytes, nlab, DIGITS_INPUT_0_SIZE);
    return 2;
  }
  const tccrt_model_info *info = digits_info();
  size_t n = nlab;
  if (limit >= 0 && (size_t)limit < n) n = (size_t)limit;
  size_t correct = 0;
  float logits[DIGITS_OUTPUT_0_NUMEL];
  for (size_t k = 0; k < n; k++) {
    const void *in[1] = {images + k * 64};
    void *out[1] = {logits};
    int rc = digits_run(in, out);
    if (rc != 0) {
      fprintf(stderr, "digits_classify: digits_run failed (%d): %s\n", rc, tccrt_last_error());
      return 1;
    }
    int best = 0;
    for (int c = 1; c < DIGITS_OUTPUT_0_NUMEL; c++)
      if (logits[c] > logits[best]) best = c;
    correct += best == labels[k];
  }
  double acc = n ? 100.0 * (double)correct / (double)n : 0.0;
  printf("model %s (input '%s', workspace %zu bytes): %zu of %zu digits right, accuracy %.3f%%\n",
         info->name, info->inputs[0].name, info->workspace_size, correct, n, acc);
  free(images);
  free(labels);
  if (expect) {
    FILE *f = fopen(expect, "r");
    double ref;
    if (!f || fscanf(f, "%lf", &ref) != 1) {
      fprintf(stderr, "digits_classify: cannot read the expected accuracy from %s\n", expect);
      if (f) fclose(f);
      return 2;
    }
    fclose(f);
    double diff = acc - ref;
    printf("PyTorch accuracy %.3f%%: difference %.3f points (tolerance %.3f)\n", ref, diff, tol);
    if (diff > tol || diff < -tol) return 1;
  }
  return 0;
}
