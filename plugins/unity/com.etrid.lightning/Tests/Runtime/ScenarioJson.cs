// A minimal JSON reader for the shared scenario files (tests/scenarios/*.json) and the JSON the C
// ABI returns, with nothing beyond mscorlib (Unity's Mono has no System.Text.Json). Values are
// null, bool, string, JsonNumber (the literal text, so 64-bit integers compare exactly),
// List<object> and Dictionary<string, object>. Malformed input throws FormatException.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace Etrid.Tests
{
    /// <summary>A JSON number, kept as written.</summary>
    internal sealed class JsonNumber
    {
        /// <summary>The literal, e.g. <c>72623859790382856</c>.</summary>
        public readonly string Text;

        public JsonNumber(string text)
        {
            Text = text;
        }

        /// <summary>The value of a non-negative integer literal.</summary>
        public ulong ToUInt64()
        {
            return ulong.Parse(Text, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        public override string ToString()
        {
            return Text;
        }
    }

    /// <summary>Parses, compares and prints JSON values.</summary>
    internal static class ScenarioJson
    {
        /// <summary>Reads and parses a UTF-8 JSON file.</summary>
        public static object ReadFile(string path)
        {
            return Parse(File.ReadAllText(path, Encoding.UTF8));
        }

        /// <summary>Parses a JSON document.</summary>
        public static object Parse(string text)
        {
            int pos = 0;
            object value = ParseValue(text, ref pos);
            SkipSpace(text, ref pos);
            if (pos != text.Length) throw new FormatException("JSON: trailing characters at " + pos);
            return value;
        }

        /// <summary>Equal values; objects regardless of member order, numbers by their text.</summary>
        public static bool DeepEquals(object a, object b)
        {
            if (a == null || b == null) return a == null && b == null;
            if (a is JsonNumber && b is JsonNumber) return ((JsonNumber)a).Text == ((JsonNumber)b).Text;
            if (a is string || a is bool) return a.Equals(b);
            var listA = a as List<object>;
            var listB = b as List<object>;
            if (listA != null || listB != null)
            {
                if (listA == null || listB == null || listA.Count != listB.Count) return false;
                for (int i = 0; i < listA.Count; i++)
                {
                    if (!DeepEquals(listA[i], listB[i])) return false;
                }
                return true;
            }
            var mapA = a as Dictionary<string, object>;
            var mapB = b as Dictionary<string, object>;
            if (mapA == null || mapB == null || mapA.Count != mapB.Count) return false;
            foreach (var member in mapA)
            {
                object other;
                if (!mapB.TryGetValue(member.Key, out other) || !DeepEquals(member.Value, other)) return false;
            }
            return true;
        }

        /// <summary>Compact JSON text of a value, for failure messages.</summary>
        public static string Dump(object value)
        {
            if (value == null) return "null";
            if (value is bool) return (bool)value ? "true" : "false";
            if (value is JsonNumber) return ((JsonNumber)value).Text;
            var text = value as string;
            if (text != null) return "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
            var list = value as List<object>;
            if (list != null) return "[" + string.Join(",", list.ConvertAll(Dump).ToArray()) + "]";
            var parts = new List<string>();
            foreach (var member in (Dictionary<string, object>)value)
            {
                parts.Add(Dump(member.Key) + ":" + Dump(member.Value));
            }
            return "{" + string.Join(",", parts.ToArray()) + "}";
        }

        static void SkipSpace(string text, ref int pos)
        {
            while (pos < text.Length && (text[pos] == ' ' || text[pos] == '\n' || text[pos] == '\r' || text[pos] == '\t'))
            {
                pos++;
            }
        }

        static char Peek(string text, ref int pos)
        {
            SkipSpace(text, ref pos);
            if (pos >= text.Length) throw new FormatException("JSON: unexpected end");
            return text[pos];
        }

        static void Expect(string text, ref int pos, char c)
        {
            if (Peek(text, ref pos) != c) throw new FormatException("JSON: expected '" + c + "' at " + pos);
            pos++;
        }

        static bool Literal(string text, ref int pos, string word)
        {
            if (string.CompareOrdinal(text, pos, word, 0, word.Length) != 0) return false;
            pos += word.Length;
            return true;
        }

        static object ParseValue(string text, ref int pos)
        {
            char c = Peek(text, ref pos);
            if (c == '{')
            {
                pos++;
                var map = new Dictionary<string, object>();
                if (Peek(text, ref pos) == '}')
                {
                    pos++;
                    return map;
                }
                while (true)
                {
                    if (Peek(text, ref pos) != '"') throw new FormatException("JSON: expected a name at " + pos);
                    string key = ParseString(text, ref pos);
                    Expect(text, ref pos, ':');
                    map.Add(key, ParseValue(text, ref pos));
                    if (Peek(text, ref pos) == ',')
                    {
                        pos++;
                        continue;
                    }
                    Expect(text, ref pos, '}');
                    return map;
                }
            }
            if (c == '[')
            {
                pos++;
                var list = new List<object>();
                if (Peek(text, ref pos) == ']')
                {
                    pos++;
                    return list;
                }
                while (true)
                {
                    list.Add(ParseValue(text, ref pos));
                    if (Peek(text, ref pos) == ',')
                    {
                        pos++;
                        continue;
                    }
                    Expect(text, ref pos, ']');
                    return list;
                }
            }
            if (c == '"') return ParseString(text, ref pos);
            if (c == '-' || (c >= '0' && c <= '9'))
            {
                int start = pos;
                while (pos < text.Length && "-+.eE0123456789".IndexOf(text[pos]) >= 0) pos++;
                return new JsonNumber(text.Substring(start, pos - start));
            }
            if (Literal(text, ref pos, "true")) return true;
            if (Literal(text, ref pos, "false")) return false;
            if (Literal(text, ref pos, "null")) return null;
            throw new FormatException("JSON: unexpected character at " + pos);
        }

        static string ParseString(string text, ref int pos)
        {
            pos++;
            var builder = new StringBuilder();
            while (true)
            {
                if (pos >= text.Length) throw new FormatException("JSON: unterminated string");
                char c = text[pos++];
                if (c == '"') return builder.ToString();
                if (c != '\\')
                {
                    builder.Append(c);
                    continue;
                }
                char e = text[pos++];
                switch (e)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u':
                        // UTF-16 code units, as C# strings hold them (surrogate pairs included).
                        builder.Append((char)int.Parse(text.Substring(pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        pos += 4;
                        break;
                    default:
                        throw new FormatException("JSON: bad escape at " + pos);
                }
            }
        }
    }
}
