# Cross build for 64-bit ARM (Raspberry Pi 4/5, Zero 2 W running a 64-bit OS) on a Debian 12
# multiarch host:
#   platform/debian/install-deps --cross   # crossbuild-essential-arm64, qemu-user, the :arm64 -dev packages
#   cmake --preset aarch64 && cmake --build --preset aarch64 && ctest --preset aarch64
#
# The :arm64 libraries live in /usr/lib/aarch64-linux-gnu next to the host's, so there is no
# separate sysroot: the cross compiler searches the multiarch directories by itself, and the arm64
# loader (/lib/ld-linux-aarch64.so.1 from libc6:arm64) finds them when qemu-aarch64 runs a test.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(SIGNAGE_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${SIGNAGE_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${SIGNAGE_CROSS_TRIPLE}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${SIGNAGE_CROSS_TRIPLE})

# Programs (gtest_discover_tests, ctest) run under user-mode QEMU. The host needs no binfmt_misc
# registration for this: CMake and CTest prefix each arm64 program with the emulator.
find_program(SIGNAGE_QEMU_AARCH64 qemu-aarch64)
if(SIGNAGE_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${SIGNAGE_QEMU_AARCH64})
endif()

# pkg-config must see only the arm64 .pc files (and the architecture-independent ones), never the
# host's /usr/lib/x86_64-linux-gnu/pkgconfig. PKG_CONFIG_LIBDIR replaces the default search path.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${SIGNAGE_CROSS_TRIPLE}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
unset(ENV{PKG_CONFIG_SYSROOT_DIR})

# find_package/find_library: CMAKE_LIBRARY_ARCHITECTURE makes CMake look in
# /usr/lib/aarch64-linux-gnu (libraries, cmake/<Package> configs) before /usr/lib, and the
# host's x86_64 directories are not searched. find_program still finds host tools.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
