# Project-wide compile flags, applied through an interface target every layer links.
add_library(tcpsim_flags INTERFACE)
add_library(tcpsim::flags ALIAS tcpsim_flags)
target_compile_options(tcpsim_flags INTERFACE -Wall -Wextra -Wpedantic)
# GCC 12 reports a false -Wrestrict inside libstdc++ for `"text" + std::string` at -O3
# (GCC bug 105651, fixed in GCC 13).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(tcpsim_flags INTERFACE -Wno-restrict)
endif()
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
if(TCPSIM_FUZZ)
  # Coverage for libFuzzer in every library, ASan, UBSan including float-to-integer overflow, and
  # the first finding aborts the run. The harness alone links libFuzzer (tests/fuzz).
  set(_tcpsim_fuzz_sanitizers -fsanitize=fuzzer-no-link,address,undefined,float-cast-overflow)
  target_compile_options(tcpsim_flags INTERFACE ${_tcpsim_fuzz_sanitizers} -fno-sanitize-recover=all
                                                -fno-omit-frame-pointer)
  target_link_options(tcpsim_flags INTERFACE ${_tcpsim_fuzz_sanitizers} -fno-sanitize-recover=all)
endif()

# tcpsim_layer(NAME ALIAS SOURCES... DEPS ...) — a static library for one layer.
function(tcpsim_layer name)
  cmake_parse_arguments(L "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${L_SOURCES})
  add_library(tcpsim::${name} ALIAS ${name})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC tcpsim::flags ${L_DEPS})
endfunction()
