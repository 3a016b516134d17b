# Run by `cmake --install`: the user unit with ExecStart and Documentation=
# pointing into the prefix actually installed into (--prefix is only known now).
file(READ "${VIBED_UNIT_SOURCE}" unit)
string(REPLACE "/usr/local/bin/vibed" "${CMAKE_INSTALL_PREFIX}/bin/vibed" unit "${unit}")
string(REPLACE "file:///usr/local/share/doc/vibed/" "file://${CMAKE_INSTALL_PREFIX}/share/doc/vibed/" unit "${unit}")
set(unit_file "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/lib/systemd/user/vibed.service")
message(STATUS "Installing: ${unit_file}")
file(WRITE "${unit_file}" "${unit}")
