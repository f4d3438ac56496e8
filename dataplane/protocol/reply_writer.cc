// RESP encoding of replies.
#include "dataplane/protocol/reply_writer.h"

#include <charconv>
#include <cstring>
#include <string>

#include "dataplane/base/strings.h"

namespace cairn::protocol {

void ReplyWriter::Raw(std::string_view bytes) {
  if (!muted_) {
    out_->Append(bytes);
  }
}

void ReplyWriter::Header(char type, int64_t n) {
  char buf[32];
  buf[0] = type;
  auto [end, ec] = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n);
  (void)ec;  // 30 bytes always fit an int64
  end[0] = '\r';
  end[1] = '\n';
  Raw(std::string_view(buf, static_cast<size_t>(end + 2 - buf)));
}

void ReplyWriter::Simple(std::string_view text) {
  if (muted_) {
    return;
  }
  out_->Append('+');
  out_->Append(text);
  out_->Append("\r\n");
}

void ReplyWriter::Error(std::string_view text) {
  if (observer_ != nullptr) {
    observer_->OnErrorReply(text.substr(0, text.find(' ')));
  }
  WriteError(text);
}

void ReplyWriter::UncountedError(std::string_view text) {
  if (observer_ != nullptr) {
    observer_->OnUncountedErrorReply();
  }
  WriteError(text);
}

void ReplyWriter::WriteError(std::string_view text) {
  if (muted_) {
    return;
  }
  out_->Append('-');
  if (text.find_first_of("\r\n") == std::string_view::npos) {
    out_->Append(text);
  } else {
    std::string clean(text);
    for (char& c : clean) {
      if (c == '\r' || c == '\n') {
        c = ' ';
      }
    }
    out_->Append(clean);
  }
  out_->Append("\r\n");
}

void ReplyWriter::Integer(int64_t value) {
  Header(':', value);
}

void ReplyWriter::Bulk(std::string_view data) {
  if (muted_) {
    return;
  }
  Header('$', static_cast<int64_t>(data.size()));
  out_->Append(data);
  out_->Append("\r\n");
}

void ReplyWriter::BulkInteger(int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  (void)ec;
  Bulk(std::string_view(buf, static_cast<size_t>(end - buf)));
}

void ReplyWriter::Null() {
  Raw(protocol_ >= 3 ? "_\r\n" : "$-1\r\n");
}

void ReplyWriter::NullArray() {
  Raw(protocol_ >= 3 ? "_\r\n" : "*-1\r\n");
}

void ReplyWriter::ArrayHeader(int64_t n) {
  Header('*', n);
}

void ReplyWriter::MapHeader(int64_t n) {
  if (protocol_ >= 3) {
    Header('%', n);
  } else {
    Header('*', n * 2);
  }
}

void ReplyWriter::SetHeader(int64_t n) {
  Header(protocol_ >= 3 ? '~' : '*', n);
}

void ReplyWriter::PushHeader(int64_t n) {
  Header(protocol_ >= 3 ? '>' : '*', n);
}

void ReplyWriter::Double(double value) {
  std::string text = FormatDouble(value);
  if (protocol_ >= 3) {
    if (muted_) {
      return;
    }
    out_->Append(',');
    out_->Append(text);
    out_->Append("\r\n");
  } else {
    Bulk(text);
  }
}

void ReplyWriter::Bool(bool value) {
  if (protocol_ >= 3) {
    Raw(value ? "#t\r\n" : "#f\r\n");
  } else {
    Raw(value ? ":1\r\n" : ":0\r\n");
  }
}

void ReplyWriter::Verbatim(std::string_view data, std::string_view format) {
  if (protocol_ < 3) {
    Bulk(data);
    return;
  }
  if (muted_) {
    return;
  }
  Header('=', static_cast<int64_t>(data.size() + 4));
  out_->Append(format.substr(0, 3));
  out_->Append(':');
  out_->Append(data);
  out_->Append("\r\n");
}

}  // namespace cairn::protocol
