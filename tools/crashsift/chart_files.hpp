#pragma once
// --charts DIR: each chart as DIR/<unit>.svg, and the path the report links it by (relative to
// the -o file's directory, so the Markdown and its pictures move together).
#include <functional>
#include <string>
#include <vector>

#include "crashsift/core/result.hpp"
#include "crashsift/report/chart.hpp"
#include "crashsift/report/incident.hpp"

namespace crashsift::tool {

// transform: applied to each SVG document before it is written (report --redact).
Result<std::vector<report::Incident::ChartLink>> write_chart_files(
    const std::vector<report::Chart>& charts, const std::string& dir, const std::string& output_file,
    const std::function<std::string(std::string)>& transform = {});

}  // namespace crashsift::tool
