/* fuzz_replay.c — runs every file of the given folders (the committed corpus and every crash the
 * fuzzer ever found) through the fuzz target as a plain program, so ctest replays them in every
 * build, including the ASan/UBSan one. A folder that does not exist is skipped. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  int n = 0;
  for (int i = 1; i < argc; i++) {
    DIR *d = opendir(argv[i]);
    if (!d) continue;
    struct dirent *e;
    while ((e = readdir(d))) {
      if (e->d_name[0] == '.') continue;
      char path[4096];
      if (snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name) >= (int)sizeof path) continue;
      FILE *f = fopen(path, "rb");
      if (!f) continue;
      uint8_t *buf = NULL;
      size_t len = 0, cap = 0, r;
      do {
        if (len == cap) {
          cap = cap ? cap * 2 : 4096;
          uint8_t *nb = realloc(buf, cap);
          if (!nb) abort();
          buf = nb;
        }
        r = fread(buf + len, 1, cap - len, f);
        len += r;
      } while (r > 0);
      fclose(f);
      LLVMFuzzerTestOneInput(buf, len);
      free(buf);
      n++;
    }
    closedir(d);
  }
  printf("fuzz_replay: %d inputs replayed without a crash\n", n);
  return n > 0 ? 0 : 1;
}
