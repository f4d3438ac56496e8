// Table rendering, JSON via protobuf's JSON mapping, YAML via nlohmann_json + yaml-cpp.
#include "controlplane/cli/output.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace cairn::controlplane::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string CellText(const std::string& cell) {
  return cell.empty() ? "-" : cell;
}

void AppendPadded(std::string& line, const std::string& text, size_t width) {
  line += text;
  line.append(width > text.size() ? width - text.size() : 0, ' ');
}

// True when a plain YAML scalar with this text would not read back as this string (YAML 1.1,
// which PyYAML follows: booleans like "yes"/"on", null, numbers, sexagesimals and timestamps all
// start with a digit, sign or dot, or are one of these words).
bool NeedsQuotes(const std::string& text) {
  static constexpr std::array<std::string_view, 12> kWords = {
      "y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", ".inf", ".nan"};
  if (text.empty()) {
    return true;
  }
  char first = text.front();
  if (std::isdigit(static_cast<unsigned char>(first)) || first == '-' || first == '+' ||
      first == '.') {
    return true;
  }
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kWords.begin(), kWords.end(), lower) != kWords.end();
}

void EmitYaml(YAML::Emitter& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      if (value.empty()) {
        out << YAML::Flow;
      }
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key << key << YAML::Value;
        EmitYaml(out, item);
      }
      out << YAML::EndMap;
      return;
    case Json::value_t::array:
      if (value.empty()) {
        out << YAML::Flow;
      }
      out << YAML::BeginSeq;
      for (const Json& item : value) {
        EmitYaml(out, item);
      }
      out << YAML::EndSeq;
      return;
    case Json::value_t::string: {
      const std::string& text = value.get_ref<const std::string&>();
      if (NeedsQuotes(text)) {
        out << YAML::DoubleQuoted;
      }
      out << text;
      return;
    }
    case Json::value_t::boolean:
      out << value.get<bool>();
      return;
    case Json::value_t::number_integer:
      out << value.get<int64_t>();
      return;
    case Json::value_t::number_unsigned:
      out << value.get<uint64_t>();
      return;
    case Json::value_t::number_float:
      out << value.get<double>();
      return;
    default:
      out << YAML::Null;
      return;
  }
}

}  // namespace

Result<OutputFormat> ParseOutputFormat(std::string_view text) {
  if (text == "table") {
    return OutputFormat::kTable;
  }
  if (text == "json") {
    return OutputFormat::kJson;
  }
  if (text == "yaml") {
    return OutputFormat::kYaml;
  }
  return Status::InvalidArgument("invalid output format '" + std::string(text) +
                                 "': expected table, json or yaml");
}

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

Table Table::Fields() {
  Table table;
  table.fields_ = true;
  return table;
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

void Table::AddField(std::string key, std::string value) {
  rows_.push_back({std::move(key) + ":", std::move(value)});
}

std::string Table::RenderFields() const {
  size_t width = 0;
  for (const auto& row : rows_) {
    width = std::max(width, row[0].size());
  }
  std::string out;
  for (const auto& row : rows_) {
    AppendPadded(out, row[0], width + 2);
    out += CellText(row[1]);
    out += '\n';
  }
  return out;
}

std::string Table::Render() const {
  if (fields_) {
    return RenderFields();
  }
  std::vector<size_t> widths(headers_.size(), 0);
  for (size_t i = 0; i < headers_.size(); ++i) {
    widths[i] = headers_[i].size();
    for (const auto& row : rows_) {
      widths[i] = std::max(widths[i], CellText(row[i]).size());
    }
  }
  auto render_line = [&](const std::vector<std::string>& cells, bool header) {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      std::string text = header ? cells[i] : CellText(cells[i]);
      if (i + 1 == cells.size()) {
        line += text;
      } else {
        AppendPadded(line, text, widths[i] + 2);
      }
    }
    return line + '\n';
  };
  std::string out = render_line(headers_, /*header=*/true);
  for (const auto& row : rows_) {
    out += render_line(row, /*header=*/false);
  }
  return out;
}

std::string MessageToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  // Printing a valid in-memory message cannot fail (only Any with unknown types can).
  google::protobuf::util::Status status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return "{}\n";
  }
  if (json.empty() || json.back() != '\n') {
    json += '\n';
  }
  return json;
}

Result<std::string> JsonToYaml(std::string_view json) {
  Json document = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return Status::InvalidArgument("malformed JSON");
  }
  YAML::Emitter out;
  EmitYaml(out, document);
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') {
    text += '\n';
  }
  return text;
}

std::string MessageToYaml(const google::protobuf::Message& message) {
  Result<std::string> yaml = JsonToYaml(MessageToJson(message));
  // MessageToJson always produces valid JSON.
  return yaml.ok() ? *yaml : "{}\n";
}

std::string Render(OutputFormat format, const google::protobuf::Message& message,
                   const std::function<std::string()>& table_text) {
  switch (format) {
    case OutputFormat::kJson:
      return MessageToJson(message);
    case OutputFormat::kYaml:
      return MessageToYaml(message);
    case OutputFormat::kTable:
      break;
  }
  return table_text();
}

}  // namespace cairn::controlplane::cli
