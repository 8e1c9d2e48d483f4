// Back end used when crashsift is built without libdw: the crash header and the raw thread
// registers only, and a warning that says why there are no backtraces.
#include "crashsift/symbolize/config.hpp"
#if !CRASHSIFT_WITH_LIBDW
#include "crashsift/symbolize/core_reader.hpp"

namespace crashsift::symbolize {

void unwind_and_symbolize(int, const CoreRequest&, const CoreNotes& notes, CoreReport& report, const ReportSink&) {
  report.backend = "notes-only";
  for (const auto& t : notes.threads) {
    Thread th;
    th.tid = t.tid;
    if (t.pc) {
      Frame f;
      f.pc = *t.pc;
      f.trust = Trust::context;
      f.activation = true;
      th.frames.push_back(f);
    }
    report.threads.push_back(std::move(th));
  }
  report.warnings.push_back({"no-unwinder", "crashsift was built without libdw: only the registers of each thread are shown"});
}

}  // namespace crashsift::symbolize
#endif
