#pragma once
// The one join policy: witnesses of the same death become one Exit. A witness joins the exit
// whose process it names (PID near in time, or PID when a side has no time), else whose unit or
// cgroup it names near in time, else whose command name it shares at the nearest time, else —
// in a paste without times — the one exit of that name in the same input. A witness that joins
// nothing makes an exit of its own. Each exit records how each witness joined (WitnessRef).
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "crashsift/classify/exit_store.hpp"
#include "crashsift/classify/exit.hpp"
#include "crashsift/classify/rules.hpp"
#include "crashsift/classify/witness.hpp"

namespace crashsift::classify {

// Witness kind -> how many could not be tied to any exit and made none (a runtime's message
// among a journal's records).
using UnjoinedCounts = std::map<std::string, int>;

// Joins the witnesses to the held exits of the store; new exits are appended (already "joined":
// the kernel and coredump joins come before the merge). An input whose exits made from records
// were already taken out of the store is named in inputs_with_records_taken.
void merge_witnesses(ExitStore& exits, std::vector<Witness>&& witnesses, UnjoinedCounts& unjoined,
                     const std::set<std::uint32_t>& inputs_with_records_taken);
std::vector<std::string> unjoined_notes(const UnjoinedCounts& unjoined);
// The one-shot form: exits and facts are parallel; new exits are appended to both.
std::vector<std::string> merge_witnesses(std::vector<Exit>& exits, std::vector<ExitFacts>& facts,
                                         std::vector<Witness>&& witnesses);
// The exit was made from PID 1's record of it (its first witness).
bool made_from_record(const Exit& x);

}  // namespace crashsift::classify
