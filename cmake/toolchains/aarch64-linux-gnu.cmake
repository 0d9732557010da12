# Toolchain file: AArch64 Linux (Debian gcc-aarch64-linux-gnu). Builds the runtime (or a user
# program that links a tcc-ml object) for aarch64; run the result with
#   qemu-aarch64 -L /usr/aarch64-linux-gnu ./program
# Usage: cmake -S runtime -B build-rt-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
# The matching tcc-ml target: tcc-ml compile --target aarch64-linux-gnu
set(TCC_ML_TARGET_TRIPLE aarch64-linux-gnu)
