# The USB source (included from tests/integration/CMakeLists.txt): tmpfs "sticks" mounted in a
# private mount namespace. Needs root (CI runs as root); without it the tests fail and say why.
# They run under qemu-aarch64 too: the emulated program makes real unshare/mount syscalls.

# MountWatcher and import_stick called directly on a Store in a temp folder.
add_executable(usb_source_test ${CMAKE_CURRENT_LIST_DIR}/usb_source_test.cpp
  ${PROJECT_SOURCE_DIR}/tests/support/pictures.cpp)
target_include_directories(usb_source_test PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(usb_source_test PRIVATE signage_sync GTest::gtest)
gtest_discover_tests(usb_source_test DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
  TEST_PREFIX sync.usb. PROPERTIES TIMEOUT 300)
# gtest_discover_tests flattens a list in PROPERTIES (LABELS "integration;sync" would give the
# label "integration" and a property named "sync"), so the labels are set after discovery, on
# the names it listed in usb_source_test_TESTS.
# qemu-user refuses seccomp filters: that test is native-only (scripts/test's aarch64 stage).
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/usb_source_test_labels.cmake
  [=[set_tests_properties(${usb_source_test_TESTS} PROPERTIES LABELS "integration;sync")
set_tests_properties(sync.usb.UsbTest.ImportsWhenSeccompRefusesOpenat2
  PROPERTIES LABELS "integration;sync;native-only")
]=])
set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES
  ${CMAKE_CURRENT_BINARY_DIR}/usb_source_test_labels.cmake)

# The player itself: signage-player run --headless --state-dir --usb-root, sticks plugged and
# pulled by usb_player_test.py (python3, stdlib only), which re-runs itself under
# `unshare -m --propagation private`. In a cross build the player runs under the emulator.
# sync.usb.player.crash starts the player 52 times; under qemu-aarch64 that is slow, so it is
# also labelled "slow-emulated" for scripts/test to leave out of the aarch64 stage.
signage_require_test_program(SIGNAGE_PYTHON3_PROGRAM python3 python3)
signage_require_test_program(SIGNAGE_UNSHARE_PROGRAM unshare util-linux)
set(usb_player_emulator)
foreach(part IN LISTS CMAKE_CROSSCOMPILING_EMULATOR)
  list(APPEND usb_player_emulator --emulator ${part})
endforeach()
foreach(case import refuse removal crash)
  add_test(NAME sync.usb.player.${case}
    COMMAND ${SIGNAGE_PYTHON3_PROGRAM} ${CMAKE_CURRENT_LIST_DIR}/usb_player_test.py
            --player $<TARGET_FILE:signage-player> ${usb_player_emulator} ${case})
  set_tests_properties(sync.usb.player.${case} PROPERTIES LABELS "integration;sync" TIMEOUT 900)
endforeach()
set_tests_properties(sync.usb.player.crash PROPERTIES LABELS "integration;sync;slow-emulated")
