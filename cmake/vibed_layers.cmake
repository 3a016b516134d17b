# The build enforces the layers (docs/architecture.md): a library's sources
# are found only through an include tree of its own, build/include/<target>/,
# that holds links to the folders it owns. A library sees its own folders and
# those of the libraries it links, nothing else, so a file of playlist/ that
# includes "db/index.hpp", or a vibectl command that includes a daemon
# service, does not compile.
#
#   vibed_expose(vibed_playlist playlist)   # sources and headers in playlist/
function(vibed_expose target)
  set(tree "${CMAKE_BINARY_DIR}/include/${target}")
  foreach(folder IN LISTS ARGN)
    get_filename_component(parent "${tree}/${folder}" DIRECTORY)
    file(MAKE_DIRECTORY "${parent}")
    if(NOT IS_SYMLINK "${tree}/${folder}")
      file(CREATE_LINK "${PROJECT_SOURCE_DIR}/${folder}" "${tree}/${folder}" SYMBOLIC)
    endif()
  endforeach()
  target_include_directories(${target} PUBLIC "${tree}")
endfunction()
