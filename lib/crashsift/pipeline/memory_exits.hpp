#pragma once
// `crashsift memory` with journal inputs: each lifetime the app log shows is tied to the journal
// exit that ended it, so the lifetime list says how each process died.
#include <vector>

#include "crashsift/classify/exit.hpp"
#include "crashsift/core/time.hpp"
#include "crashsift/correlate/memory_analysis.hpp"

namespace crashsift::pipeline {

// Ties every lifetime in `reports` to its exit among `exits`: by PID when both know it, else the
// first exit between the lifetime's last record (5 s of slack) and the next lifetime's start
// (or 10 min after). Sets LifetimeMemory::journal_exit ("segfault (SIGILL) per the journal at
// ...: panic(...)", times in `zone`).
void tie_lifetimes_to_exits(const std::vector<classify::Exit>& exits, std::vector<correlate::MemoryReport>& reports,
                            const Zone& zone);

}  // namespace crashsift::pipeline
