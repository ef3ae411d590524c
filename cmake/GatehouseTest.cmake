# gatehouse_add_test(NAME SOURCES ... [LIBS ...] [LABEL label] [TIMEOUT s] [GUI])
# One Qt Test executable per suite, registered with CTest. GUI suites run offscreen.
find_package(Qt6 6.4 REQUIRED COMPONENTS Core Test)

function(gatehouse_add_test name)
  cmake_parse_arguments(ARG "GUI" "LABEL;TIMEOUT" "SOURCES;LIBS;ENVIRONMENT" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES AUTOMOC ON)
  target_link_libraries(${name} PRIVATE Qt6::Test ${ARG_LIBS} gatehouse_warnings)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE
    GATEHOUSE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    GATEHOUSE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  set(env ${ARG_ENVIRONMENT})
  if(ARG_GUI)
    list(APPEND env QT_QPA_PLATFORM=offscreen)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABEL}" ENVIRONMENT "${env}")
endfunction()
