#pragma once
// The stages of turning a core into a CoreReport, run in-process (symbolize.cpp runs them in
// an isolated child). Back ends are files selected at build time (style.md 6.14):
// core_reader_libdw.cpp (CRASHSIFT_WITH_LIBDW) and core_reader_none.cpp (header only).
#include <cstdint>
#include <functional>
#include <string>

#include "crashsift/symbolize/backtrace.hpp"
#include "crashsift/symbolize/core_notes.hpp"
#include "crashsift/symbolize/symbolize.hpp"

namespace crashsift::symbolize {

// Crash header from the notes alone: signal, si_code, fault address and hint, pid, tid,
// command line, executable, architecture. Adds the notes' problems as warnings.
void fill_header(const CoreNotes& notes, CoreReport& report);

// Unwinds every thread (bounded by request.max_threads/max_frames) and symbolizes the frames;
// fills report.threads (crashing first), report.modules, report.backend and warnings.
// `on_unwound`, when set, gets the report with unsymbolized frames (pc, module+offset) between
// the two steps, so an isolated child that dies while reading debug info still leaves them.
using ReportSink = std::function<void(const CoreReport&)>;
void unwind_and_symbolize(int core_fd, const CoreRequest& request, const CoreNotes& notes,
                          CoreReport& report, const ReportSink& on_unwound = nullptr);

// Demangles an Itanium C++ ABI name ("_Z..."); anything else is returned as is.
std::string demangle(const std::string& name);

}  // namespace crashsift::symbolize
