// The small JSON reader and writer the package uses: results and events of the LSP client are
// JSON (the LSP API's snake_case fields), and Unity's Mono has no System.Text.Json. Values are
// null, bool, string, JsonNumber (the literal text, so 64-bit msat amounts stay exact),
// List<object> and Dictionary<string, object>. Malformed input throws FormatException. Use any
// JSON library you prefer on the result strings; this one exists so the package needs none.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Etrid
{
    /// <summary>A JSON number, kept as written (so a 64-bit msat amount is never rounded).</summary>
    public sealed class JsonNumber
    {
        /// <summary>The literal, e.g. <c>72623859790382856</c>.</summary>
        public readonly string Text;

        /// <summary>A number with literal <paramref name="text"/>.</summary>
        public JsonNumber(string text)
        {
            Text = text;
        }

        /// <summary>The value of a non-negative integer literal (msat amounts, ids, timestamps).</summary>
        /// <exception cref="FormatException">Not a non-negative integer.</exception>
        /// <exception cref="OverflowException">Beyond <see cref="ulong.MaxValue"/>.</exception>
        public ulong ToUInt64()
        {
            return ulong.Parse(Text, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        /// <summary>The literal.</summary>
        public override string ToString()
        {
            return Text;
        }
    }

    /// <summary>Parses and writes JSON documents.</summary>
    public static class LightningJson
    {
        /// <summary>Parses a JSON document.</summary>
        /// <exception cref="FormatException">Not one well-formed JSON value.</exception>
        public static object Parse(string text)
        {
            if (text == null) throw new ArgumentNullException("text");
            int pos = 0;
            object value = ParseValue(text, ref pos);
            SkipSpace(text, ref pos);
            if (pos != text.Length) throw new FormatException("JSON: trailing characters at " + pos);
            return value;
        }

        /// <summary>Parses a JSON object (a result of the LSP client).</summary>
        /// <exception cref="FormatException">Not a well-formed JSON object.</exception>
        public static Dictionary<string, object> ParseObject(string text)
        {
            var map = Parse(text) as Dictionary<string, object>;
            if (map == null) throw new FormatException("JSON: expected an object");
            return map;
        }

        /// <summary><paramref name="text"/> as a JSON string literal (<c>null</c> for null).</summary>
        public static string Quote(string text)
        {
            if (text == null) return "null";
            var builder = new StringBuilder("\"");
            foreach (char c in text)
            {
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    default:
                        if (c < ' ') builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else builder.Append(c);
                        break;
                }
            }
            return builder.Append('"').ToString();
        }

        /// <summary>Compact JSON text of a parsed value (strings escaped as <see cref="Quote"/> does).</summary>
        public static string Write(object value)
        {
            if (value == null) return "null";
            if (value is bool) return (bool)value ? "true" : "false";
            if (value is JsonNumber) return ((JsonNumber)value).Text;
            var text = value as string;
            if (text != null) return Quote(text);
            var list = value as List<object>;
            if (list != null) return "[" + string.Join(",", list.ConvertAll(Write).ToArray()) + "]";
            var parts = new List<string>();
            foreach (var member in (Dictionary<string, object>)value)
            {
                parts.Add(Quote(member.Key) + ":" + Write(member.Value));
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
                if (pos >= text.Length) throw new FormatException("JSON: unterminated string");
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
                        if (pos + 4 > text.Length) throw new FormatException("JSON: unterminated escape");
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
