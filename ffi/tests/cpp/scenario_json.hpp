// A minimal JSON reader for the shared scenario files (tests/scenarios/*.json) and the JSON the C
// ABI returns: objects, arrays, strings (escapes and \u, surrogate pairs included, to UTF-8),
// numbers kept as their literal text so 64-bit integers compare exactly, true, false and null.
// Malformed input throws std::runtime_error (or, built without exceptions as engine code is,
// prints the reason and aborts the test binary). Header-only: the tests are one translation unit.

#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace scenario_json {

// Reports malformed input or a wrong access: an exception, or an abort without exceptions.
[[noreturn]] inline void Fail(const std::string& what) {
#if defined(__cpp_exceptions)
  throw std::runtime_error(what);
#else
  std::fprintf(stderr, "scenario_json: %s\n", what.c_str());
  std::abort();
#endif
}

// One JSON value. Objects keep their members in file order.
struct Value {
  enum class Kind { Null, Bool, Number, String, Array, Object };

  Kind kind = Kind::Null;
  bool boolean = false;
  std::string text;  // a string's value, or a number's literal
  std::vector<Value> items;
  std::vector<std::pair<std::string, Value>> members;

  bool IsNull() const { return kind == Kind::Null; }

  bool Has(const std::string& key) const {
    for (const auto& member : members) {
      if (member.first == key) return true;
    }
    return false;
  }

  // The member `key` of an object; throws if this is not an object or has no such member.
  const Value& operator[](const std::string& key) const {
    if (kind != Kind::Object) Fail("not an object, looking for " + key);
    for (const auto& member : members) {
      if (member.first == key) return member.second;
    }
    Fail("no member " + key);
  }

  // A string's value; throws for any other kind.
  const std::string& Str() const {
    if (kind != Kind::String) Fail("not a string");
    return text;
  }

  // A non-negative integer's value; throws for any other kind or value.
  uint64_t U64() const {
    if (kind != Kind::Number || text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
      Fail("not an unsigned integer: " + text);
    }
    return std::stoull(text);
  }

  // A boolean's value; throws for any other kind.
  bool Bool() const {
    if (kind != Kind::Bool) Fail("not a boolean");
    return boolean;
  }
};

// Equal kinds and values; objects compare regardless of member order, numbers by their text.
inline bool operator==(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Value::Kind::Null:
      return true;
    case Value::Kind::Bool:
      return a.boolean == b.boolean;
    case Value::Kind::Number:
    case Value::Kind::String:
      return a.text == b.text;
    case Value::Kind::Array:
      return a.items == b.items;
    case Value::Kind::Object:
      if (a.members.size() != b.members.size()) return false;
      for (const auto& member : a.members) {
        if (!b.Has(member.first) || !(b[member.first] == member.second)) return false;
      }
      return true;
  }
  return false;
}

inline bool operator!=(const Value& a, const Value& b) { return !(a == b); }

// Compact JSON text of a value, for failure messages.
inline std::string Dump(const Value& value) {
  switch (value.kind) {
    case Value::Kind::Null:
      return "null";
    case Value::Kind::Bool:
      return value.boolean ? "true" : "false";
    case Value::Kind::Number:
      return value.text;
    case Value::Kind::String: {
      std::string out = "\"";
      for (char c : value.text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      return out + "\"";
    }
    case Value::Kind::Array: {
      std::string out = "[";
      for (size_t i = 0; i < value.items.size(); ++i) out += (i ? "," : "") + Dump(value.items[i]);
      return out + "]";
    }
    case Value::Kind::Object: {
      std::string out = "{";
      for (size_t i = 0; i < value.members.size(); ++i) {
        Value key;
        key.kind = Value::Kind::String;
        key.text = value.members[i].first;
        out += (i ? "," : "") + Dump(key) + ":" + Dump(value.members[i].second);
      }
      return out + "}";
    }
  }
  return "";
}

namespace detail {

class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text) {}

  Value Document() {
    Value value = Parse();
    SkipSpace();
    if (pos_ != text_.size()) Fail("trailing characters");
    return value;
  }

 private:
  [[noreturn]] void Fail(const std::string& what) const {
    scenario_json::Fail("JSON: " + what + " at offset " + std::to_string(pos_));
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }

  char Peek() {
    SkipSpace();
    if (pos_ >= text_.size()) Fail("unexpected end");
    return text_[pos_];
  }

  void Expect(char c) {
    if (Peek() != c) Fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  bool Literal(const char* word) {
    const std::string w(word);
    if (text_.compare(pos_, w.size(), w) != 0) return false;
    pos_ += w.size();
    return true;
  }

  Value Parse() {
    Value value;
    const char c = Peek();
    if (c == '{') {
      value.kind = Value::Kind::Object;
      ++pos_;
      if (Peek() == '}') {
        ++pos_;
        return value;
      }
      for (;;) {
        if (Peek() != '"') Fail("expected a member name");
        std::string key = String();
        Expect(':');
        value.members.emplace_back(std::move(key), Parse());
        if (Peek() == ',') {
          ++pos_;
          continue;
        }
        Expect('}');
        return value;
      }
    }
    if (c == '[') {
      value.kind = Value::Kind::Array;
      ++pos_;
      if (Peek() == ']') {
        ++pos_;
        return value;
      }
      for (;;) {
        value.items.push_back(Parse());
        if (Peek() == ',') {
          ++pos_;
          continue;
        }
        Expect(']');
        return value;
      }
    }
    if (c == '"') {
      value.kind = Value::Kind::String;
      value.text = String();
      return value;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      value.kind = Value::Kind::Number;
      const size_t start = pos_;
      while (pos_ < text_.size() && std::string("-+.eE0123456789").find(text_[pos_]) != std::string::npos) {
        ++pos_;
      }
      value.text = text_.substr(start, pos_ - start);
      return value;
    }
    if (Literal("true")) {
      value.kind = Value::Kind::Bool;
      value.boolean = true;
      return value;
    }
    if (Literal("false")) {
      value.kind = Value::Kind::Bool;
      return value;
    }
    if (Literal("null")) return value;
    Fail("unexpected character");
  }

  unsigned Hex4() {
    if (pos_ + 4 > text_.size()) Fail("short \\u escape");
    const unsigned code = static_cast<unsigned>(std::stoul(text_.substr(pos_, 4), nullptr, 16));
    pos_ += 4;
    return code;
  }

  static void AppendUtf8(std::string& out, unsigned code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xc0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xe0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (code & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (code & 0x3f));
    }
  }

  // A string token (at its opening quote): its value, UTF-8.
  std::string String() {
    ++pos_;
    std::string out;
    for (;;) {
      if (pos_ >= text_.size()) Fail("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) Fail("unterminated escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned code = Hex4();
          if (code >= 0xd800 && code < 0xdc00 && Literal("\\u")) {
            const unsigned low = Hex4();
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          }
          AppendUtf8(out, code);
          break;
        }
        default:
          Fail("bad escape");
      }
    }
  }

  const std::string& text_;
  size_t pos_ = 0;
};

}  // namespace detail

// Parses a JSON document.
inline Value Parse(const std::string& text) { return detail::Parser(text).Document(); }

// Reads and parses a JSON file.
inline Value ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str());
}

}  // namespace scenario_json
