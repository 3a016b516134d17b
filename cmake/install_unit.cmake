# Run by `cmake --install`: the user unit with ExecStart and Documentation=
# pointing into the prefix actually installed into (--prefix is only known now).
file(READ "${VIBED_UNIT_SOURCE}" unit)
string(REPLACE "/usr/local/bin/vibed" "${CMAKE_INSTALL_PREFIX}/bin/vibed" unit "${unit}")
string(REPLACE "file:///usr/local/share/doc/vibed/" "file://${CMAKE_INSTALL_PREFIX}/share/doc/vibed/" unit "${unit}")
# PREFIX/share/systemd/user is a user unit folder for the usual prefixes:
# ~/.local ($XDG_DATA_HOME), /usr/local and /usr ($XDG_DATA_DIRS).
set(unit_file "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/share/systemd/user/vibed.service")
message(STATUS "Installing: ${unit_file}")
file(WRITE "${unit_file}" "${unit}")
