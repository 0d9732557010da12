#!/usr/bin/env bash
# Installs the Debian packages tcc-ml's build and tests need. Idempotent: packages already
# present are skipped, so a second run makes no change and needs no network.
set -euo pipefail
pkgs=(
  cmake make gcc g++ pkg-config python3 python3-numpy
  llvm-19-dev clang-19 lld-19 libclang-rt-19-dev clang-format-19
  libisl-dev libprotobuf-c-dev protobuf-c-compiler libonnx-dev
  ocl-icd-opencl-dev pocl-opencl-icd
  qemu-user gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf libc6-dev-arm64-cross libc6-dev-armhf-cross
  libopenblas-dev valgrind zlib1g-dev libzstd-dev libedit-dev libxml2-dev libffi-dev libcurl4-openssl-dev
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all packages present"
fi
