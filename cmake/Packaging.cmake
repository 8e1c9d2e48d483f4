# `cpack -G DEB` in a build tree: crashsift_<version>_<arch>.deb with the binary, man pages, completions and systemd units, its
# dependencies computed by dpkg-shlibdeps. The copyright and changelog files Debian wants in
# /usr/share/doc/crashsift come from packaging/.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/crashsift)
# Loading the exits into ClickHouse, Loki, Elasticsearch (crashsift-json(5) points here).
install(FILES ${PROJECT_SOURCE_DIR}/docs/log-stores.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/crashsift)
set(changelog_gz ${PROJECT_BINARY_DIR}/packaging/changelog.gz)
add_custom_command(OUTPUT ${changelog_gz}
                   COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/packaging
                   COMMAND gzip -9n -c ${PROJECT_SOURCE_DIR}/packaging/changelog > ${changelog_gz}
                   DEPENDS ${PROJECT_SOURCE_DIR}/packaging/changelog VERBATIM)
add_custom_target(crashsift_changelog ALL DEPENDS ${changelog_gz})
install(FILES ${changelog_gz} DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/crashsift)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME crashsift)
set(CPACK_PACKAGE_VENDOR "crashsift developers")
set(CPACK_PACKAGE_CONTACT "crashsift developers <maintainers@users.noreply.r-seed-af79bcff.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "crash forensics for systemd services")
set(CPACK_PACKAGE_DESCRIPTION
    "crashsift reads the journal (every journalctl form and native files), kernel\n"
    "logs, pasted systemctl status and coredumpctl output and application NDJSON\n"
    "logs, and classifies each death of a service: clean, self-exit, segfault, OOM\n"
    "kill (kernel, cgroup, systemd-oomd, runtime heap), watchdog, timeout or\n"
    "external kill, with the evidence that decided it. It joins memory samples and\n"
    "core-dump backtraces, and writes text, JSON and Markdown reports. crashsift\n"
    "watch follows the journal and classifies each death as it happens.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
# Whatever prefix the build tree was configured with, the package installs under /usr; the
# units go to /lib/systemd/system, outside it, so cpack installs into a staging root (DESTDIR).
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
include(CPack)
