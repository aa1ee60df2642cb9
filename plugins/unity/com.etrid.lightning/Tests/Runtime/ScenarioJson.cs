// The shared scenario files (tests/scenarios/*.json) for the tests: read with the package's own
// LightningJson, compared member by member (numbers by their text, so 64-bit integers compare
// exactly).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace Etrid.Tests
{
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
            return LightningJson.Parse(text);
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
            return LightningJson.Write(value);
        }
    }
}
