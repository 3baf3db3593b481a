# Tests of the Teams app package (deploy/teams-app/). Included from tests/CMakeLists.txt:
#
#   include(${CMAKE_CURRENT_SOURCE_DIR}/teams_app.cmake)
#
#   teams_app.build      (unit)        build.sh --dev builds the zip              [fixture setup]
#   teams_app.manifest   (realclient)  ../shared/realclient/run-all.sh manifest ZIP: Microsoft's
#                                      manifest schemas + package rules; fails when
#                                      ../shared/realclient is missing
#   teams_app.bad_input  (unit)        a malformed GUID / version / URL is refused with a clear
#                                      message and no zip is written
#
# The same file is the script that teams_app.manifest and teams_app.bad_input run
# (cmake -DTEAMS_APP_CHECK=... -P teams_app.cmake), so there is no extra helper file.

if(CMAKE_SCRIPT_MODE_FILE)
  # ---------------------------------------------------------------- script mode
  cmake_minimum_required(VERSION 3.20)
  if(TEAMS_APP_CHECK STREQUAL "manifest")
    # in: REALCLIENT (folder), ZIP, REPORT_DIR
    if(NOT EXISTS "${REALCLIENT}/run-all.sh")
      message(FATAL_ERROR
        "teams_app.manifest: ${REALCLIENT}/run-all.sh not found. This check needs the shared "
        "tools folder beside the checkout (../shared/realclient, as in CI); it is not skipped.")
    endif()
    if(NOT EXISTS "${ZIP}")
      message(FATAL_ERROR "teams_app.manifest: ${ZIP} does not exist (teams_app.build must run first)")
    endif()
    execute_process(
      COMMAND bash "${REALCLIENT}/run-all.sh" manifest "${ZIP}" --out "${REPORT_DIR}"
      RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "teams_app.manifest: the package failed validation (exit ${rc}); see the "
                          "lines above and ${REPORT_DIR}/report.json")
    endif()
    return()
  endif()

  if(TEAMS_APP_CHECK STREQUAL "bad_input")
    # in: BUILD_SH, WORK_DIR
    file(REMOVE_RECURSE "${WORK_DIR}")
    file(MAKE_DIRECTORY "${WORK_DIR}")
    set(failures 0)
    # case name | expected text in stderr | arguments, separated by "^"
    set(cases
      "guid|is not a GUID|--app-id^not-a-guid"
      "guid_playground_id|is not a GUID|--app-id^00000000-0000-0000-0000-00000000000011"
      "teams_app_guid|is not a GUID|--dev^--teams-app-id^1234-5678"
      "version_two_parts|is not MAJOR.MINOR.PATCH|--dev^--version^1.2"
      "version_suffix|is not MAJOR.MINOR.PATCH|--dev^--version^1.2.3-beta"
      "version_leading_zero|is not MAJOR.MINOR.PATCH|--dev^--version^1.02.3"
      "url_http|is not an https:// URL|--dev^--website-url^http://example.com"
      "url_quote|contains a quote or backslash|--dev^--website-url^https://example.com/a\"b"
      "no_app_id|no bot app id|")
    foreach(case IN LISTS cases)
      string(REPLACE "|" ";" parts "${case}")
      list(GET parts 0 name)
      list(GET parts 1 expect)
      string(REGEX REPLACE "^[^|]*\\|[^|]*\\|" "" args "${case}")
      string(REPLACE "^" ";" args "${args}")
      set(zip "${WORK_DIR}/${name}.zip")
      execute_process(
        COMMAND ${CMAKE_COMMAND} -E env --unset=MicrosoftAppId --unset=TeamsAppId
                bash "${BUILD_SH}" ${args} --out "${zip}"
        RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
      set(problems "")
      if(rc EQUAL 0)
        string(APPEND problems " exit status 0 (expected non-zero);")
      endif()
      string(FIND "${err}" "${expect}" at)
      if(at EQUAL -1)
        string(APPEND problems " stderr lacks \"${expect}\";")
      endif()
      if(EXISTS "${zip}" OR EXISTS "${WORK_DIR}/${name}")
        string(APPEND problems " wrote ${zip} or its staging folder;")
      endif()
      string(STRIP "${err}" err)
      if(problems)
        message("FAIL ${name}:${problems} stderr: ${err}")
        math(EXPR failures "${failures} + 1")
      else()
        message("ok   ${name}: ${err}")
      endif()
    endforeach()
    file(GLOB leftovers "${WORK_DIR}/*")
    if(leftovers)
      message("FAIL files were left behind: ${leftovers}")
      math(EXPR failures "${failures} + 1")
    endif()
    if(failures GREATER 0)
      message(FATAL_ERROR "teams_app.bad_input: ${failures} problem(s)")
    endif()
    return()
  endif()

  message(FATAL_ERROR "teams_app.cmake: unknown TEAMS_APP_CHECK '${TEAMS_APP_CHECK}'")
endif()

# ------------------------------------------------------------------ include mode
set(AB_TEAMS_APP_DIR "${CMAKE_BINARY_DIR}/teams-app")
set(AB_TEAMS_APP_ZIP "${AB_TEAMS_APP_DIR}/access-bot.zip")

add_test(NAME teams_app.build
  COMMAND bash "${PROJECT_SOURCE_DIR}/deploy/teams-app/build.sh" --dev --out "${AB_TEAMS_APP_ZIP}")
set_tests_properties(teams_app.build PROPERTIES
  LABELS unit
  TIMEOUT 60
  FIXTURES_SETUP teams_app_zip)

add_test(NAME teams_app.manifest
  COMMAND ${CMAKE_COMMAND}
    -DTEAMS_APP_CHECK=manifest
    "-DREALCLIENT=${PROJECT_SOURCE_DIR}/../shared/realclient"
    "-DZIP=${AB_TEAMS_APP_ZIP}"
    "-DREPORT_DIR=${AB_TEAMS_APP_DIR}/report"
    -P "${CMAKE_CURRENT_LIST_FILE}")
# The first run may install the tool's npm packages (run-all.sh setup): allow for it.
set_tests_properties(teams_app.manifest PROPERTIES
  RESOURCE_LOCK realclient
  LABELS realclient
  TIMEOUT 900
  FIXTURES_REQUIRED teams_app_zip)

add_test(NAME teams_app.bad_input
  COMMAND ${CMAKE_COMMAND}
    -DTEAMS_APP_CHECK=bad_input
    "-DBUILD_SH=${PROJECT_SOURCE_DIR}/deploy/teams-app/build.sh"
    "-DWORK_DIR=${AB_TEAMS_APP_DIR}/bad-input"
    -P "${CMAKE_CURRENT_LIST_FILE}")
set_tests_properties(teams_app.bad_input PROPERTIES
  LABELS unit
  TIMEOUT 60)
