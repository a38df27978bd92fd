# The USB source (included from tests/integration/CMakeLists.txt): tmpfs "sticks" mounted in a
# private mount namespace. Needs root (CI runs as root); without it the tests say so and skip.
# They run under qemu-aarch64 too: the emulated program makes real unshare/mount syscalls.

# MountWatcher and import_stick called directly on a Store in a temp folder.
add_executable(usb_source_test ${CMAKE_CURRENT_LIST_DIR}/usb_source_test.cpp)
target_link_libraries(usb_source_test PRIVATE signage_sync GTest::gtest)
gtest_discover_tests(usb_source_test DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
  TEST_PREFIX sync.usb. PROPERTIES LABELS "integration;sync" TIMEOUT 300)
