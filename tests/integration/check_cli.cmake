# Runs `signage-player check ARG` in DIR and compares the exit status and stderr with what is
# expected. Used by the cli.check.* tests (cmake -P). Variables:
#   PLAYER           the signage-player program
#   EMULATOR         for a cross build: the emulator command, its parts separated by "|"
#   DIR              working directory (the check data folder)
#   ARGS             arguments after "check", separated by "|" (may be empty)
#   EXPECT_EXIT      the exit status
#   EXPECT_STDERR    optional: a file whose contents stderr must equal exactly
#   EXPECT_STDOUT    optional: a regular expression stdout must match
#   EXPECT_STDERR_RE optional: a regular expression stderr must match
string(REPLACE "|" ";" emulator "${EMULATOR}")
string(REPLACE "|" ";" args "${ARGS}")
execute_process(
  COMMAND ${emulator} ${PLAYER} check ${args}
  WORKING_DIRECTORY ${DIR}
  RESULT_VARIABLE status
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
set(report "signage-player check ${ARGS} in ${DIR}\n--- exit ${status}\n--- stdout\n${out}--- stderr\n${err}---")
if(NOT status STREQUAL EXPECT_EXIT)
  message(FATAL_ERROR "expected exit status ${EXPECT_EXIT}\n${report}")
endif()
if(DEFINED EXPECT_STDERR)
  file(READ ${EXPECT_STDERR} expected)
  if(NOT err STREQUAL expected)
    message(FATAL_ERROR "stderr differs from ${EXPECT_STDERR}:\n--- expected\n${expected}\n${report}")
  endif()
endif()
if(DEFINED EXPECT_STDERR_RE AND NOT err MATCHES "${EXPECT_STDERR_RE}")
  message(FATAL_ERROR "stderr does not match ${EXPECT_STDERR_RE}\n${report}")
endif()
if(DEFINED EXPECT_STDOUT AND NOT out MATCHES "${EXPECT_STDOUT}")
  message(FATAL_ERROR "stdout does not match ${EXPECT_STDOUT}\n${report}")
endif()
