# File lists of the hil firmware core, for any build system that can read CMake variables
# (our CMakeLists.txt, or a ModusToolbox Makefile via `cmake -P` / copy-paste). No targets here.
#   HIL_CORE_SOURCES       portable C11 sources (no OS, no malloc, no stdio)
#   HIL_CORE_INCLUDE_DIRS  public include directories (hil_*.h and hil_names.def)
set(HIL_CORE_DIR ${CMAKE_CURRENT_LIST_DIR})

set(HIL_CORE_SOURCES
    ${HIL_CORE_DIR}/src/hil_names.c
    ${HIL_CORE_DIR}/src/hil_framer.c
    ${HIL_CORE_DIR}/src/hil_request.c
    ${HIL_CORE_DIR}/src/hil_json_writer.c
    ${HIL_CORE_DIR}/src/hil_json_reader.c
    ${HIL_CORE_DIR}/src/hil_cmd.c
    ${HIL_CORE_DIR}/src/hil_cred.c
    ${HIL_CORE_DIR}/src/hil_device.c
    ${HIL_CORE_DIR}/src/hil_session.c
    ${HIL_CORE_DIR}/src/hil_commands_sys.c
    ${HIL_CORE_DIR}/src/hil_commands_cred.c
    ${HIL_CORE_DIR}/src/hil_commands_mqtt.c
)

set(HIL_CORE_HEADERS
    ${HIL_CORE_DIR}/include/hil_config_defaults.h
    ${HIL_CORE_DIR}/include/hil_names.h
    ${HIL_CORE_DIR}/include/hil_names.def
    ${HIL_CORE_DIR}/include/hil_proto.h
    ${HIL_CORE_DIR}/include/hil_json.h
    ${HIL_CORE_DIR}/include/hil_port.h
    ${HIL_CORE_DIR}/include/hil_cmd.h
    ${HIL_CORE_DIR}/include/hil_cred.h
    ${HIL_CORE_DIR}/include/hil_device.h
    ${HIL_CORE_DIR}/src/hil_commands.h
)

set(HIL_CORE_INCLUDE_DIRS ${HIL_CORE_DIR}/include)
