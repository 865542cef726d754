# Project-wide compile flags, applied through an interface target every layer links.
add_library(tcpsim_flags INTERFACE)
add_library(tcpsim::flags ALIAS tcpsim_flags)
target_compile_options(tcpsim_flags INTERFACE -Wall -Wextra -Wpedantic)
if(TCPSIM_WERROR)
  target_compile_options(tcpsim_flags INTERFACE -Werror)
endif()
if(TCPSIM_SANITIZE)
  target_compile_options(tcpsim_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                -fno-sanitize-recover=undefined
                                                # GCC 12's flow analysis under ASan reports false
                                                # "maybe-uninitialized" in Catch2 and nlohmann headers
                                                -Wno-maybe-uninitialized)
  target_link_options(tcpsim_flags INTERFACE -fsanitize=address,undefined)
endif()

# tcpsim_layer(NAME ALIAS SOURCES... DEPS ...) — a static library for one layer.
function(tcpsim_layer name)
  cmake_parse_arguments(L "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${L_SOURCES})
  add_library(tcpsim::${name} ALIAS ${name})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC tcpsim::flags ${L_DEPS})
endfunction()
