install(TARGETS crashsift RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
file(GLOB CRASHSIFT_MAN1 ${PROJECT_SOURCE_DIR}/man/*.1)
file(GLOB CRASHSIFT_MAN5 ${PROJECT_SOURCE_DIR}/man/*.5)
install(FILES ${CRASHSIFT_MAN1} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CRASHSIFT_MAN5} DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES ${PROJECT_SOURCE_DIR}/completions/crashsift.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME crashsift)
install(FILES ${PROJECT_SOURCE_DIR}/completions/_crashsift
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)

# systemd units (crashsift-watch(1)): configured with the installed binary's path.
set(CRASHSIFT_BINDIR ${CMAKE_INSTALL_FULL_BINDIR})
foreach(unit crashsift-watch.service crashsift-report@.service)
  configure_file(${PROJECT_SOURCE_DIR}/systemd/${unit}.in ${PROJECT_BINARY_DIR}/systemd/${unit} @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/systemd/${unit} DESTINATION lib/systemd/system)
endforeach()
