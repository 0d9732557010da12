# Toolchain file: Android through the NDK ($ANDROID_NDK or -DANDROID_NDK=...). Wraps the NDK's own
# toolchain file. ANDROID_ABI: arm64-v8a (default; tcc-ml --target aarch64-linux-android) or
# armeabi-v7a (NEON; tcc-ml --target armv7a-linux-androideabi). ANDROID_PLATFORM defaults to
# android-24.
# Usage: cmake -S runtime -B build-rt-android -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/android.cmake
if(NOT ANDROID_NDK)
  set(ANDROID_NDK "$ENV{ANDROID_NDK}")
endif()
if(NOT ANDROID_NDK OR NOT EXISTS "${ANDROID_NDK}/build/cmake/android.toolchain.cmake")
  message(FATAL_ERROR "android.cmake: set ANDROID_NDK (environment or -DANDROID_NDK=) to an NDK "
                      "that has build/cmake/android.toolchain.cmake")
endif()
if(NOT ANDROID_ABI)
  set(ANDROID_ABI arm64-v8a)
endif()
if(NOT ANDROID_PLATFORM)
  set(ANDROID_PLATFORM android-24)
endif()
if(ANDROID_ABI STREQUAL "armeabi-v7a")
  set(ANDROID_ARM_NEON ON)
  set(TCC_ML_TARGET_TRIPLE armv7a-linux-androideabi)
else()
  set(TCC_ML_TARGET_TRIPLE aarch64-linux-android)
endif()
include("${ANDROID_NDK}/build/cmake/android.toolchain.cmake")
