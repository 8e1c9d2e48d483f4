// apply_journal_field(): the one NAME=value -> Event mapping shared by export, json and verbose.
#include <doctest/doctest.h>

#include "crashsift/input/journal_fields.hpp"

using crashsift::Event;
using crashsift::input::apply_journal_field;

namespace {

Event apply_all(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  Event e;
  for (const auto& [n, v] : fields) apply_journal_field(e, n, v);
  return e;
}

}  // namespace

TEST_CASE("journal fields: PID 1 process-exit record maps every field") {
  // Fields of a real v252 exit record (journalctl-v252 sample, entry 5).
  const Event e = apply_all({{"_BOOT_ID", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"},
                             {"_PID", "1"},
                             {"_COMM", "systemd"},
                             {"_SYSTEMD_UNIT", "init.scope"},
                             {"_TRANSPORT", "journal"},
                             {"_HOSTNAME", "web1"},
                             {"SYSLOG_IDENTIFIER", "systemd"},
                             {"UNIT", "app.service"},
                             {"INVOCATION_ID", "5f2a9c7e1b3d4f608192a3b4c5d6e7f8"},
                             {"PRIORITY", "4"},
                             {"MESSAGE_ID", "98e322203f7a4ed290d09fe03c09fe15"},
                             {"EXIT_CODE", "dumped"},
                             {"EXIT_STATUS", "11"},
                             {"COMMAND", "ExecStart"},
                             {"MESSAGE", "app.service: Main process exited, code=dumped, status=11/SEGV"},
                             {"__REALTIME_TIMESTAMP", "1736000003000000"},
                             {"__MONOTONIC_TIMESTAMP", "8000000"},
                             {"__CURSOR", "s=ca64;i=5"}});
  CHECK(e.boot_id == "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
  CHECK(e.pid == 1);
  CHECK(e.comm == "systemd");
  CHECK(e.identifier == "systemd");
  CHECK(e.systemd_unit == "init.scope");
  CHECK(e.unit == "app.service");
  CHECK(e.invocation_id == "5f2a9c7e1b3d4f608192a3b4c5d6e7f8");
  CHECK(e.hostname == "web1");
  CHECK(e.priority == 4);
  CHECK(e.message_id == crashsift::message_ids::process_exit);
  CHECK(e.exit_code == "dumped");
  CHECK(e.exit_status == 11);
  CHECK(e.command == "ExecStart");
  CHECK(e.time == 1736000003000000);
  CHECK(e.monotonic_usec == 8000000u);
  CHECK(e.origin.cursor == "s=ca64;i=5");
  CHECK_FALSE(e.kernel);
}

TEST_CASE("journal fields: precedence does not depend on field order") {
  SUBCASE("_SOURCE_REALTIME_TIMESTAMP wins over __REALTIME_TIMESTAMP") {
    // Real lab entry 3: received at ...618442, sent at ...618412; journalctl shows the latter.
    CHECK(apply_all({{"__REALTIME_TIMESTAMP", "1795420661618442"},
                     {"_SOURCE_REALTIME_TIMESTAMP", "1795420661618412"}})
              .time == 1795420661618412);
    CHECK(apply_all({{"_SOURCE_REALTIME_TIMESTAMP", "1795420661618412"},
                     {"__REALTIME_TIMESTAMP", "1795420661618442"}})
              .time == 1795420661618412);
  }
  SUBCASE("_PID wins over SYSLOG_PID") {
    CHECK(apply_all({{"SYSLOG_PID", "77"}, {"_PID", "4242"}}).pid == 4242);
    CHECK(apply_all({{"_PID", "4242"}, {"SYSLOG_PID", "77"}}).pid == 4242);
    CHECK(apply_all({{"SYSLOG_PID", "77"}}).pid == 77);
  }
  SUBCASE("SYSLOG_IDENTIFIER wins over _COMM (kept as comm)") {
    // _COMM is cut to 15 chars: "systemd-coredum"; the identifier is the full name.
    Event a = apply_all({{"_COMM", "systemd-coredum"}, {"SYSLOG_IDENTIFIER", "systemd-coredump"}});
    Event b = apply_all({{"SYSLOG_IDENTIFIER", "systemd-coredump"}, {"_COMM", "systemd-coredum"}});
    CHECK(a.identifier == "systemd-coredump");
    CHECK(b.identifier == "systemd-coredump");
    CHECK(a.comm == "systemd-coredum");
    CHECK(apply_all({{"_COMM", "bun"}}).identifier == "bun");
  }
  SUBCASE("INVOCATION_ID (the unit PID 1 talks about) wins over _SYSTEMD_INVOCATION_ID") {
    CHECK(apply_all({{"_SYSTEMD_INVOCATION_ID", "aaaa"}, {"INVOCATION_ID", "bbbb"}}).invocation_id == "bbbb");
    CHECK(apply_all({{"INVOCATION_ID", "bbbb"}, {"_SYSTEMD_INVOCATION_ID", "aaaa"}}).invocation_id == "bbbb");
    CHECK(apply_all({{"_SYSTEMD_INVOCATION_ID", "aaaa"}}).invocation_id == "aaaa");
    // The user manager says USER_INVOCATION_ID; its own _SYSTEMD_INVOCATION_ID is user@.service's.
    CHECK(apply_all({{"_SYSTEMD_INVOCATION_ID", "aaaa"}, {"USER_INVOCATION_ID", "cccc"}}).invocation_id == "cccc");
  }
  SUBCASE("UNIT and USER_UNIT") {
    CHECK(apply_all({{"USER_UNIT", "app.service"}}).unit == "app.service");
    CHECK(apply_all({{"UNIT", "app.service"}}).unit == "app.service");
  }
}

TEST_CASE("journal fields: coredump entry, COREDUMP_ENVIRON is never stored") {
  // Field values from the real systemd-coredump entry in shared/real/coredump.
  Event e;
  CHECK(apply_journal_field(e, "COREDUMP_PID", "10164"));
  CHECK(apply_journal_field(e, "COREDUMP_SIGNAL", "11"));
  CHECK(apply_journal_field(e, "COREDUMP_TIMESTAMP", "1795420544000000"));
  CHECK(apply_journal_field(e, "COREDUMP_COMM", "crashlab"));
  CHECK(apply_journal_field(e, "COREDUMP_EXE", "/srv/crashlab/real/bin/crashlab"));
  CHECK(apply_journal_field(e, "COREDUMP_UNIT", "cl-segv.service"));
  CHECK(apply_journal_field(e, "COREDUMP_FILENAME",
                            "/var/lib/systemd/coredump/core.crashlab.0.00b0.10164.1795420544000000.zst"));
  CHECK_FALSE(apply_journal_field(e, "COREDUMP_ENVIRON", "AWS_SECRET_ACCESS_KEY=hunter2\nPATH=/bin"));
  CHECK_FALSE(apply_journal_field(e, "COREDUMP_PROC_MAPS", "55f946c07000-55f946c08000 r--p"));
  CHECK(e.coredump_pid == 10164);
  CHECK(e.coredump_signal == 11);
  CHECK(e.coredump_timestamp == 1795420544000000);
  CHECK(e.coredump_comm == "crashlab");
  CHECK(e.coredump_exe == "/srv/crashlab/real/bin/crashlab");
  CHECK(e.coredump_unit == "cl-segv.service");
  CHECK(e.coredump_filename.find("core.crashlab") != std::string::npos);
  CHECK(e.message.find("hunter2") == std::string::npos);
  // COREDUMP_USER_UNIT only fills in when there is no system unit.
  CHECK(apply_all({{"COREDUMP_USER_UNIT", "app.service"}}).coredump_unit == "app.service");
  CHECK(apply_all({{"COREDUMP_UNIT", "user@1000.service"}, {"COREDUMP_USER_UNIT", "app.service"}})
            .coredump_unit == "user@1000.service");
}

TEST_CASE("journal fields: resource, result and restart fields") {
  const Event e = apply_all({{"UNIT_RESULT", "oom-kill"}, {"N_RESTARTS", "3"}, {"MEMORY_PEAK", "67108864"}});
  CHECK(e.unit_result == "oom-kill");
  CHECK(e.n_restarts == 3);
  CHECK(e.memory_peak == "67108864");
}

TEST_CASE("journal fields: _TRANSPORT=kernel marks kernel events") {
  CHECK(apply_all({{"_TRANSPORT", "kernel"}}).kernel);
  CHECK_FALSE(apply_all({{"_TRANSPORT", "stdout"}}).kernel);
}

TEST_CASE("journal fields: bad values are ignored, not half-applied") {
  Event e;
  CHECK_FALSE(apply_journal_field(e, "EXIT_STATUS", "SEGV"));
  CHECK_FALSE(apply_journal_field(e, "EXIT_STATUS", "99999999999999999999"));
  CHECK_FALSE(apply_journal_field(e, "_PID", ""));
  CHECK_FALSE(apply_journal_field(e, "PRIORITY", "9"));
  CHECK_FALSE(apply_journal_field(e, "PRIORITY", "[1B blob data]"));
  CHECK_FALSE(apply_journal_field(e, "__REALTIME_TIMESTAMP", "-5"));
  CHECK_FALSE(apply_journal_field(e, "N_RESTARTS", "3.5"));
  CHECK_FALSE(e.exit_status);
  CHECK_FALSE(e.pid);
  CHECK(e.priority == -1);
  CHECK_FALSE(e.time);
  CHECK_FALSE(e.n_restarts);
}

TEST_CASE("journal fields: unknown and odd names are not used") {
  Event e;
  CHECK_FALSE(apply_journal_field(e, "", "x"));
  CHECK_FALSE(apply_journal_field(e, "_", "x"));
  CHECK_FALSE(apply_journal_field(e, "COREDUMP_", "x"));
  CHECK_FALSE(apply_journal_field(e, "JOB_TYPE", "start"));
  CHECK_FALSE(apply_journal_field(e, "message", "lower-case is a different field"));
  CHECK(e.message.empty());
  // Values are bytes: NUL and invalid UTF-8 are stored as they are.
  CHECK(apply_journal_field(e, "MESSAGE", std::string_view("bin\0\xff", 5)));
  CHECK(e.message.size() == 5);
}

TEST_CASE("journal fields: a trailing newline of MESSAGE is dropped, inner ones kept") {
  // Real systemd-coredump MESSAGE: "Process 10164 (crashlab) of user 0 dumped core.\n\nStack
  // trace of thread 10164:\n...ELF object binary architecture: AMD x86-64\n".
  Event e;
  CHECK(apply_journal_field(e, "MESSAGE", "dumped core.\n\nStack trace of thread 1:\n#0 f\n"));
  CHECK(e.message == "dumped core.\n\nStack trace of thread 1:\n#0 f");
  CHECK(apply_journal_field(e, "MESSAGE", "\n"));
  CHECK(e.message.empty());
}

TEST_CASE("journal fields: the setter is found by name alone, and only for kept fields") {
  using crashsift::input::journal_field_setter;
  // Fields crashsift keeps: each has a setter, and it stores what apply_journal_field stores.
  for (std::string_view name : {"_PID", "_COMM", "_BOOT_ID", "__CURSOR", "_HOSTNAME", "_LINE_BREAK", "_TRANSPORT",
                                "_SYSTEMD_UNIT", "__REALTIME_TIMESTAMP", "__MONOTONIC_TIMESTAMP",
                                "_SYSTEMD_INVOCATION_ID", "_SOURCE_REALTIME_TIMESTAMP", "COREDUMP_PID",
                                "COREDUMP_SIGNAL", "COREDUMP_UNIT", "COREDUMP_USER_UNIT", "COMMAND", "EXIT_CODE",
                                "EXIT_STATUS", "INVOCATION_ID", "MESSAGE", "MESSAGE_ID", "MEMORY_PEAK",
                                "N_RESTARTS", "PRIORITY", "SYSLOG_IDENTIFIER", "SYSLOG_PID", "UNIT", "USER_UNIT",
                                "UNIT_RESULT", "USER_INVOCATION_ID", "_MACHINE_ID"}) {
    CAPTURE(name);
    const auto setter = journal_field_setter(name);
    REQUIRE(static_cast<bool>(setter));
    Event by_name, by_setter;
    CHECK(apply_journal_field(by_name, name, "7") == apply_journal_field(by_setter, setter, "7"));
    CHECK(by_name.pid == by_setter.pid);
    CHECK(by_name.priority == by_setter.priority);
    CHECK(by_name.message == by_setter.message);
    CHECK(by_name.machine_id == by_setter.machine_id);
  }
  // The bulk of an entry's bytes: never decoded.
  for (std::string_view name : {"_CMDLINE", "_CAP_EFFECTIVE", "_SYSTEMD_CGROUP", "_SYSTEMD_SLICE",
                                "_STREAM_ID", "_UID", "_GID", "_EXE", "SYSLOG_FACILITY", "COREDUMP_ENVIRON",
                                "COREDUMP_PROC_MAPS", "", "_", "M", "MESSAGEX"}) {
    CAPTURE(name);
    CHECK_FALSE(static_cast<bool>(journal_field_setter(name)));
    Event e;
    CHECK_FALSE(apply_journal_field(e, name, "x"));
  }
}

TEST_CASE("journal fields: a valid name is what journald accepts, for every reader") {
  using crashsift::input::valid_journal_field_name;
  for (std::string_view ok : {"MESSAGE", "_PID", "__CURSOR", "COREDUMP_SIGNAL", "X1", "_1"}) CHECK(valid_journal_field_name(ok));
  CHECK(valid_journal_field_name(std::string(64, 'A')));
  for (std::string_view bad : {"", "message", "1X", "9", "MESSAGE ID", "MESSAGE=", "MESSAGE-ID", "CAFÉ"}) {
    CAPTURE(bad);
    CHECK_FALSE(valid_journal_field_name(bad));
  }
  CHECK_FALSE(valid_journal_field_name(std::string(65, 'A')));
}
