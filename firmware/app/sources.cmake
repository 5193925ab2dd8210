# File lists of the hil reference application (the lamp and its shadow client), built on the core.
# Not part of the core: a product firmware that embeds the core leaves this out.
#   HIL_APP_SOURCES       portable C11 sources (same rules as the core: no OS, no malloc, no stdio)
#   HIL_APP_INCLUDE_DIRS  public include directories
set(HIL_APP_DIR ${CMAKE_CURRENT_LIST_DIR})

set(HIL_APP_SOURCES
    ${HIL_APP_DIR}/src/hil_shadow.c
    ${HIL_APP_DIR}/src/hil_lamp.c
)

set(HIL_APP_HEADERS
    ${HIL_APP_DIR}/include/hil_shadow.h
    ${HIL_APP_DIR}/include/hil_lamp.h
)

set(HIL_APP_INCLUDE_DIRS ${HIL_APP_DIR}/include)
