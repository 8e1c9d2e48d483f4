#include "chart_files.hpp"

#include <filesystem>
#include <fstream>

namespace crashsift::tool {

namespace fs = std::filesystem;

Result<std::vector<report::Incident::ChartLink>> write_chart_files(
    const std::vector<report::Chart>& charts, const std::string& dir, const std::string& output_file,
    const std::function<std::string(std::string)>& transform) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error("--charts: cannot create " + dir + ": " + ec.message());
  std::vector<report::Incident::ChartLink> links;
  for (const auto& c : charts) {
    const fs::path file = fs::path(dir) / (c.id + ".svg");
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << (transform ? transform(report::format_chart_svg(c)) : report::format_chart_svg(c));
    out.close();
    if (!out) return make_error("--charts: cannot write " + file.string());
    fs::path link = file;
    if (!output_file.empty() && output_file != "-") {
      const fs::path base = fs::absolute(fs::path(output_file)).parent_path();
      link = fs::proximate(fs::absolute(file), base, ec);
      if (ec) link = file;
    }
    links.push_back({c.unit, link.generic_string()});
  }
  return links;
}

}  // namespace crashsift::tool
