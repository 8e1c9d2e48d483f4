#pragma once
// The one join policy: witnesses of the same death become one Exit. A witness joins the exit
// whose process it names (PID near in time, or PID when a side has no time), else whose unit or
// cgroup it names near in time, else whose command name it shares at the nearest time, else —
// in a paste without times — the one exit of that name in the same input. A witness that joins
// nothing makes an exit of its own. Each exit records how each witness joined (WitnessRef).
#include <string>
#include <vector>

#include "crashsift/classify/exit.hpp"
#include "crashsift/classify/rules.hpp"
#include "crashsift/classify/witness.hpp"

namespace crashsift::classify {

// exits and facts are parallel; new exits are appended to both. Returns notes on witnesses that
// could not be tied to any exit and made none (a runtime's message among a journal's records).
std::vector<std::string> merge_witnesses(std::vector<Exit>& exits, std::vector<ExitFacts>& facts,
                                         std::vector<Witness>&& witnesses);

}  // namespace crashsift::classify
