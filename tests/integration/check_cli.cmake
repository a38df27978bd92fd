# Runs `signage-player check ARG` (or another command) in DIR and compares the exit status and
# stderr with what is expected. Used by the cli.check.* and cli.run.* tests (cmake -P). Variables:
#   PLAYER           the signage-player program
#   EMULATOR         for a cross build: the emulator command, its parts separated by "|"
#   DIR              working directory (the check data folder)
#   SUBCOMMAND       optional: the command instead of "check"
#   ARGS             arguments after the command, separated by "|" (may be empty)
#   EXPECT_EXIT      the exit status
#   EXPECT_STDERR    optional: a file whose contents stderr must equal exactly
#   EXPECT_STDOUT    optional: a regular expression stdout must match
#   EXPECT_STDERR_RE optional: a regular expression stderr must match
#   EXPECT_FILE      optional: a file the command must write (removed first) ...
#   EXPECT_FILE_RE   ... and a regular expression its contents must match
if(NOT DEFINED SUBCOMMAND)
  set(SUBCOMMAND check)
endif()
if(DEFINED EXPECT_FILE)
  file(REMOVE ${EXPECT_FILE})
endif()
string(REPLACE "|" ";" emulator "${EMULATOR}")
string(REPLACE "|" ";" args "${ARGS}")
execute_process(
  COMMAND ${emulator} ${PLAYER} ${SUBCOMMAND} ${args}
  WORKING_DIRECTORY ${DIR}
  RESULT_VARIABLE status
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
set(report "signage-player ${SUBCOMMAND} ${ARGS} in ${DIR}\n--- exit ${status}\n--- stdout\n${out}--- stderr\n${err}---")
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
if(DEFINED EXPECT_FILE)
  if(NOT EXISTS ${EXPECT_FILE})
    message(FATAL_ERROR "${EXPECT_FILE} was not written\n${report}")
  endif()
  file(READ ${EXPECT_FILE} contents)
  if(NOT contents MATCHES "${EXPECT_FILE_RE}")
    message(FATAL_ERROR "${EXPECT_FILE} does not match ${EXPECT_FILE_RE}:\n${contents}\n${report}")
  endif()
endif()
