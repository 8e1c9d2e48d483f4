install(TARGETS crashsift RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Man pages are installed compressed (gzip -9n: no name, no time, so the same bytes every build),
# as Debian policy wants them and man(1) reads them.
file(GLOB CRASHSIFT_MAN_PAGES ${PROJECT_SOURCE_DIR}/man/*.[15])
set(CRASHSIFT_MAN_GZ "")
foreach(page ${CRASHSIFT_MAN_PAGES})
  get_filename_component(name ${page} NAME)
  set(gz ${PROJECT_BINARY_DIR}/man/${name}.gz)
  add_custom_command(OUTPUT ${gz}
                     COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
                     COMMAND gzip -9n -c ${page} > ${gz}
                     DEPENDS ${page} VERBATIM)
  list(APPEND CRASHSIFT_MAN_GZ ${gz})
  string(REGEX MATCH "[15]$" section ${name})
  install(FILES ${gz} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()
add_custom_target(crashsift_man_pages ALL DEPENDS ${CRASHSIFT_MAN_GZ})

install(FILES ${PROJECT_SOURCE_DIR}/completions/crashsift.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME crashsift)
install(FILES ${PROJECT_SOURCE_DIR}/completions/_crashsift
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)

# systemd units (crashsift-watch(1)), made at install time so that ExecStart names the binary
# where this install puts it (--prefix, cpack's /usr). Under /usr they go to /lib/systemd/system,
# where Debian 12's systemd and lintian want a package's units; under any other prefix, to
# PREFIX/lib/systemd/system.
install(CODE "
  set(prefix \"\${CMAKE_INSTALL_PREFIX}\")
  set(CRASHSIFT_BINDIR \"\${prefix}/${CMAKE_INSTALL_BINDIR}\")
  if(prefix STREQUAL \"/usr\")
    set(unitdir \"/lib/systemd/system\")
  else()
    set(unitdir \"\${prefix}/lib/systemd/system\")
  endif()
  foreach(unit crashsift-watch.service crashsift-report@.service)
    configure_file(\"${PROJECT_SOURCE_DIR}/systemd/\${unit}.in\" \"${PROJECT_BINARY_DIR}/systemd/\${unit}\" @ONLY)
    file(INSTALL DESTINATION \"\${unitdir}\" TYPE FILE FILES \"${PROJECT_BINARY_DIR}/systemd/\${unit}\")
  endforeach()
")

include(Packaging)
