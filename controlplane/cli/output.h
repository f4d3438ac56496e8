// cairnctl's output formats: an aligned text table (default), protobuf's JSON mapping with proto
// field names (-o json), and the same data as YAML (-o yaml).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message.h>

#include "dataplane/base/status.h"

namespace cairn::controlplane::cli {

enum class OutputFormat { kTable, kJson, kYaml };

// "table", "json" or "yaml"; anything else is InvalidArgument.
Result<OutputFormat> ParseOutputFormat(std::string_view text);

// A block of text output: either rows under a header line (a list) or "KEY: value" lines (one
// resource). Cells are padded to the widest cell of their column with two spaces between
// columns; the last column is not padded, so lines carry no trailing spaces. Empty cells print
// as "-" so columns stay parseable by `awk`.
class Table {
 public:
  // A list table with these column headers (upper case by convention: "NAME", "STATUS").
  explicit Table(std::vector<std::string> headers);
  // A key/value table (no header line): AddField("Name", "demo") renders "Name:    demo".
  static Table Fields();

  void AddRow(std::vector<std::string> cells);
  void AddField(std::string key, std::string value);
  bool empty() const { return rows_.empty(); }

  // The rendered lines, each ending in '\n'. A list table with no rows renders its header only.
  std::string Render() const;

 private:
  Table() = default;
  std::string RenderFields() const;

  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
  bool fields_ = false;
};

// protobuf's JSON mapping of `message`: proto field names, every field present (zero values
// included, so scripts can rely on keys), two-space indentation, enums by name, int64 as
// strings, timestamps as RFC 3339. Ends in '\n'.
std::string MessageToJson(const google::protobuf::Message& message);

// The same document as MessageToJson in YAML block style. Strings that YAML would read as
// another type ("true", "123", "null", "") are double-quoted, so a YAML parser returns exactly
// the JSON document's data. Ends in '\n'.
std::string MessageToYaml(const google::protobuf::Message& message);

// Converts a JSON document to YAML as MessageToYaml does. InvalidArgument on malformed JSON.
Result<std::string> JsonToYaml(std::string_view json);

// Renders `message` as JSON or YAML; for kTable, returns `table_text()` (a command's own
// human-readable layout, often several Tables).
std::string Render(OutputFormat format, const google::protobuf::Message& message,
                   const std::function<std::string()>& table_text);

}  // namespace cairn::controlplane::cli
