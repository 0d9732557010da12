#!/bin/sh
# install.sh BUILD_DIR SOURCE_DIR [ONNX_NODE_TESTS] — installs the build into a temporary prefix, then configures,
# builds and runs a project outside the tree that uses find_package(tcc-ml) and
# tcc_ml_add_model() with the installed tcc-ml, on the committed digits model and data.
set -eu
build=$1
src=$2
node_tests=${3:-}
tmp=$(mktemp -d /tmp/tcc-ml-install-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log"
for f in bin/tcc-ml lib/libtccrt.a include/tccrt.h lib/cmake/tcc-ml/tcc-mlConfig.cmake \
  lib/cmake/tcc-ml/TccMl.cmake lib/cmake/tcc-ml/tcc-mlConfigVersion.cmake; do
  [ -e "$tmp/prefix/$f" ] || { echo "FAIL: the install has no $f"; exit 1; }
done
mkdir "$tmp/app"
cp "$src/examples/digits/classify.c" "$tmp/app/"
cat >"$tmp/app/CMakeLists.txt" <<EOT
cmake_minimum_required(VERSION 3.20)
project(outside_app C)
find_package(tcc-ml 0.1 REQUIRED)
tcc_ml_add_model(digits_model "$src/examples/digits/digits.onnx" NAME digits)
add_executable(classify classify.c)
target_link_libraries(classify PRIVATE digits_model)
EOT
cmake -S "$tmp/app" -B "$tmp/app/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >"$tmp/configure.log" ||
  { cat "$tmp/configure.log"; echo "FAIL: configuring the outside project"; exit 1; }
cmake --build "$tmp/app/build" >"$tmp/build.log" 2>&1 ||
  { cat "$tmp/build.log"; echo "FAIL: building the outside project"; exit 1; }
grep -q "$tmp/prefix/bin/tcc-ml" "$tmp/app/build/CMakeFiles/digits_model.dir/build.make" ||
  grep -rq "$tmp/prefix/bin/tcc-ml" "$tmp/app/build/CMakeFiles" ||
  { echo "FAIL: the outside project did not use the installed tcc-ml"; exit 1; }
"$tmp/app/build/classify" "$src/examples/digits/test_images.f32" "$src/examples/digits/test_labels.u8" \
  --expect "$src/examples/digits/pytorch_accuracy.txt" --tolerance 0.5
# A version the install cannot satisfy (another major version) is refused.
mkdir "$tmp/app2"
cat >"$tmp/app2/CMakeLists.txt" <<EOT
cmake_minimum_required(VERSION 3.20)
project(outside_app2 C)
find_package(tcc-ml 1.0 REQUIRED)
EOT
if cmake -S "$tmp/app2" -B "$tmp/app2/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >"$tmp/configure2.log" 2>&1; then
  echo "FAIL: find_package(tcc-ml 1.0) accepted the 0.x install"; exit 1
fi
grep -q "version: 0.1" "$tmp/configure2.log" ||
  { cat "$tmp/configure2.log"; echo "FAIL: the installed version (0.1.x) not named"; exit 1; }
# The installed tcc-ml finds the installed runtime (P/lib/libtccrt.a) for test --aot.
if [ -n "$node_tests" ] && [ -d "$node_tests/test_relu" ]; then
  t=$node_tests/test_relu
  "$tmp/prefix/bin/tcc-ml" test --aot "$t" >"$tmp/aot.log" 2>&1 ||
    { cat "$tmp/aot.log"; echo "FAIL: installed tcc-ml test --aot"; exit 1; }
fi
echo "PASS: installed tcc-ml used through find_package(tcc-ml 0.1)"
