/* test_tensorize.c — tensorize: a matmul's 4x4x4 loop nest replaced by a declared intrinsic
 * (compute description: out[i, j] = sum_k a[i, k] * b[k, j]; implementation: vector code
 * written here, one 4-lane row per i), checked against the loop nest it replaces and run by
 * the interpreter; as an accumulating update inside a k.outer loop and as a whole tile. A
 * mismatching intrinsic and tiles with a tail are refused with their messages. */
#include "sched_test.h"

/* out[b0 + i, b1 + 0..3] (+)= sum_k a[a0 + i, a1 + k] * b[b0' + k, b1' + 0..3] */
static const tcc_stmt *emit_gemm4(tcc_context *ctx, const tcc_intrin_call *c, void *user) {
  (void)user;
  const tcc_stmt *rows[4];
  for (int i = 0; i < 4; i++) {
    const tcc_intrin_operand *A = &c->inputs[0], *B = &c->inputs[1], *O = &c->output;
    const tcc_expr *oi[2] = {tcc_broadcast(ctx, tcc_add(ctx, O->base[0], tcc_idx(ctx, i)), 4),
                             tcc_ramp(ctx, O->base[1], tcc_idx(ctx, 1), 4)};
    const tcc_expr *acc = c->accumulate ? tcc_load(ctx, O->buf, 2, oi, NULL)
                                        : tcc_float(ctx, tcc_type_of(TCCRT_FLOAT32, 4), 0);
    for (int k = 0; k < 4; k++) {
      const tcc_expr *ai[2] = {tcc_add(ctx, A->base[0], tcc_idx(ctx, i)),
                               tcc_add(ctx, A->base[1], tcc_idx(ctx, k))};
      const tcc_expr *bi[2] = {tcc_broadcast(ctx, tcc_add(ctx, B->base[0], tcc_idx(ctx, k)), 4),
                               tcc_ramp(ctx, B->base[1], tcc_idx(ctx, 1), 4)};
      acc = tcc_add(ctx, acc,
                    tcc_mul(ctx, tcc_broadcast(ctx, tcc_load(ctx, A->buf, 2, ai, NULL), 4),
                            tcc_load(ctx, B->buf, 2, bi, NULL)));
    }
    rows[i] = tcc_s_store(ctx, O->buf, 2, oi, acc, NULL);
  }
  return tcc_s_seq(ctx, 4, rows);
}

static tcc_tensor *mm(tcc_context *ctx, const char *name, tcc_tensor *A, tcc_tensor *B, int64_t M,
                      int64_t N, int64_t K, bool use_max) {
  const tcc_expr *sc[2] = {I(ctx, M), I(ctx, N)};
  const char *nm[2] = {"i", "j"};
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 2, sc, nm);
  const tcc_itervar *k = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, K));
  const tcc_expr *ia[2] = {V(ctx, ax[0]), V(ctx, k)}, *ib[2] = {V(ctx, k), V(ctx, ax[1])};
  const tcc_expr *src = tcc_mul(ctx, tcc_read(ctx, A, ia), tcc_read(ctx, B, ib));
  return tcc_compute(
      ctx, name, 2, sc, ax,
      use_max ? tcc_reduce_max(ctx, src, 1, &k, NULL) : tcc_sum(ctx, src, 1, &k, NULL), NULL);
}

static tcc_tensor_intrin gemm4(tcc_context *ctx, bool use_max) {
  int64_t d[2] = {4, 4};
  tcc_tensor *a = ph(ctx, "a", TCCRT_FLOAT32, 2, d), *b = ph(ctx, "b", TCCRT_FLOAT32, 2, d);
  tcc_tensor_intrin in = {use_max ? "gemm4_max" : "gemm4", mm(ctx, "o", a, b, 4, 4, 4, use_max),
                          emit_gemm4, NULL};
  return in;
}

/* mode 0: k split, intrinsic accumulates inside k.outer; 1: whole 4x4x4 tile (K = 4);
 * 2: mismatching intrinsic; 3: a tile with a tail */
static void run(int mode) {
  tcc_context *ctx = tcc_context_create();
  int64_t M = mode == 3 ? 10 : 8, N = 12, K = mode == 1 ? 4 : 8;
  int64_t da[2] = {M, K}, db[2] = {K, N};
  tcc_tensor *A = ph(ctx, "A", TCCRT_FLOAT32, 2, da), *B = ph(ctx, "B", TCCRT_FLOAT32, 2, db);
  tcc_tensor *C = mm(ctx, "C", A, B, M, N, K, false);
  const tcc_tensor *outs[1] = {C};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *st = tcc_schedule_stage(s, C);
  tcc_tensor_intrin in = gemm4(ctx, mode == 2);
  tcc_axis *io, *jo, *ii, *ji, *ko, *ki;
  CHECK(tcc_tile(ctx, st, tcc_stage_axis(st, 0), tcc_stage_axis(st, 1), 4, 4, TCC_TAIL_GUARD, &io,
                 &jo, &ii, &ji) == TCC_OK);
  tcc_axis *at = jo;
  if (mode != 1) {
    CHECK(tcc_split(ctx, st, tcc_stage_reduce_axis(st, 0), 4, TCC_TAIL_GUARD, &ko, &ki) == TCC_OK);
    tcc_axis *o[4] = {ko, ii, ji, ki};
    CHECK(tcc_reorder(ctx, st, 4, o) == TCC_OK);
    at = ko;
    CHECK_REFUSED(ctx, tcc_tensorize(ctx, st, jo, &in), "has 4 loops inside 'j.outer'");
  }
  CHECK_REFUSED(ctx, tcc_tensorize(ctx, st, ii, &in), "has 2 loops inside");
  CHECK(tcc_tensorize(ctx, st, at, &in) == TCC_OK);
  CHECK(tcc_parallel(ctx, st, io) == TCC_OK);
  const tcc_tensor *args[3] = {A, B, C};
  tcc_primfunc *fn;
  tcc_status ok = tcc_lower(ctx, s, "tz", 3, args, &fn);
  if (mode == 2) {
    CHECK_MSG(ok == TCC_ERR && strstr(tcc_error_text(ctx), "does not match intrinsic 'gemm4_max'"),
              "%s", tcc_error_text(ctx));
  } else if (mode == 3) {
    CHECK_MSG(ok == TCC_ERR && strstr(tcc_error_text(ctx), "have a tail"), "%s",
              tcc_error_text(ctx));
  } else {
    CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
    size_t nc = (size_t)(M * N);
    float *a, *b, *c, *ref;
    matmul_data_f32(M, N, K, &a, &b, &c, &ref);
    void *bufs[3] = {a, b, c};
    if (ok == TCC_OK) {
      CHECK_MSG(tcc_interp_run(ctx, fn, bufs, NULL) == TCC_OK, "%s", tcc_error_text(ctx));
      cmp_f32(mode ? "tensorize_tile" : "tensorize_update", c, ref, nc, 1e-5);
      char *t = NULL;
      size_t n = 0;
      FILE *f = open_memstream(&t, &n);
      tcc_schedule_print(f, s);
      tcc_primfunc_print(f, fn);
      fclose(f);
      CHECK(strstr(t, mode ? "tensorize(C, j.outer, gemm4)\n" : "tensorize(C, k.outer, gemm4)\n") !=
            NULL);
      const char *ir = strstr(t, "func tz");
      CHECK_MSG(ir && strstr(ir, "ramp(") != NULL && strstr(ir, "k.inner") == NULL, "%s",
                t); /* the intrinsic's code */
      free(t);
    }
    free(a), free(b), free(c), free(ref);
  }
  tcc_context_destroy(ctx);
}

int main(void) {
  tcc_test_seed("test_tensorize");
  for (int mode = 0; mode < 4; mode++)
    run(mode);
  return tcc_test_finish("test_tensorize");
}
