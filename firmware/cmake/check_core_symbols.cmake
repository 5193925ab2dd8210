# Fails when the core library needs anything beyond the C string functions and assert: the core
# must stay free of malloc, stdio and OS calls (ports provide those). Run by CTest:
#   cmake -DNM=<nm> -DLIB=<libhil_fw_core.a> -P check_core_symbols.cmake
execute_process(COMMAND ${NM} -u --format=just-symbols ${LIB} OUTPUT_VARIABLE undefined
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm failed on ${LIB}")
endif()
string(REPLACE "\n" ";" undefined "${undefined}")
set(allowed memcmp memcpy memmove memset strchr strcmp strcpy strcat strlen __assert_fail
    __stack_chk_fail)
set(bad "")
foreach(sym IN LISTS undefined)
  if(sym STREQUAL "" OR sym MATCHES "^hil_" OR sym MATCHES "^__(a|ub)san" OR sym MATCHES "^_GLOBAL_")
    continue()
  endif()
  list(FIND allowed ${sym} idx)
  if(idx EQUAL -1)
    list(APPEND bad ${sym})
  endif()
endforeach()
if(bad)
  list(REMOVE_DUPLICATES bad)
  message(FATAL_ERROR "hil_fw_core uses symbols a bare-metal port may not have: ${bad}")
endif()
message(STATUS "hil_fw_core needs only: string functions and assert")
