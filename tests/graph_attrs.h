/* graph_attrs.h — node attributes for tests that build graphs by hand (tcc_attr values pointing at
 * the caller's arrays and strings, which must outlive the node). */
#ifndef TCC_TEST_GRAPH_ATTRS_H
#define TCC_TEST_GRAPH_ATTRS_H

#include "graph.h"

#include <string.h>

static inline tcc_attr a_int(const char *name, int64_t v) {
  tcc_attr a = {0};
  a.name = name;
  a.kind = TCC_ATTR_INT;
  a.u.i = v;
  return a;
}
static inline tcc_attr a_ints(const char *name, int n, const int64_t *v) {
  tcc_attr a = {0};
  a.name = name;
  a.kind = TCC_ATTR_INTS;
  a.u.ints.n = n;
  a.u.ints.v = v;
  return a;
}
static inline tcc_attr a_str(const char *name, const char *s) {
  tcc_attr a = {0};
  a.name = name;
  a.kind = TCC_ATTR_STRING;
  a.u.s = s;
  a.slen = strlen(s);
  return a;
}

#endif
