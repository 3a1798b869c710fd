using System.Text;

namespace Publisher.Templates.Counting;

/// <summary>
/// Host name to ASCII (punycode, RFC 3492) as far as URL extraction needs it: the length of the
/// encoded host decides whether twitter-text treats a host as valid (no label over 63 characters).
/// </summary>
internal static class Punycode
{
    private const int Base = 36, TMin = 1, TMax = 26, Skew = 38, Damp = 700, InitialBias = 72, InitialN = 128;
    public const int MaxLabelLength = 63;

    /// <summary>Encodes <paramref name="host"/> label by label; null when a label cannot be encoded or is too long.</summary>
    public static string? HostToAscii(string host)
    {
        if (host.Length == 0) return null;
        var labels = host.Split('.');
        var result = new StringBuilder(host.Length + 16);
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (i > 0) result.Append('.');
            if (label.Length == 0) return null;
            if (IsAscii(label))
            {
                if (label.Length > MaxLabelLength) return null;
                result.Append(label);
                continue;
            }
            // An ACE prefix followed by non-ASCII text is neither a Unicode label nor valid punycode.
            if (label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase)) return null;
            var encoded = Encode(label.Normalize(NormalizationForm.FormKC).ToLowerInvariant());
            if (encoded is null || encoded.Length + 4 > MaxLabelLength) return null;
            result.Append("xn--").Append(encoded);
        }
        return result.ToString();
    }

    private static bool IsAscii(string s)
    {
        foreach (var c in s) if (c >= 0x80) return false;
        return true;
    }

    private static string? Encode(string input)
    {
        var codePoints = new List<int>(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            if (char.IsHighSurrogate(input[i]) && i + 1 < input.Length && char.IsLowSurrogate(input[i + 1]))
            {
                codePoints.Add(char.ConvertToUtf32(input[i], input[i + 1]));
                i++;
            }
            else if (char.IsSurrogate(input[i])) return null;
            else codePoints.Add(input[i]);
        }

        var output = new StringBuilder();
        foreach (var cp in codePoints) if (cp < 0x80) output.Append((char)cp);
        int basicCount = output.Length, handled = basicCount;
        if (basicCount > 0) output.Append('-');

        int n = InitialN, delta = 0, bias = InitialBias;
        while (handled < codePoints.Count)
        {
            var m = int.MaxValue;
            foreach (var cp in codePoints) if (cp >= n && cp < m) m = cp;
            if ((long)(m - n) * (handled + 1) > int.MaxValue - delta) return null;
            delta += (m - n) * (handled + 1);
            n = m;
            foreach (var cp in codePoints)
            {
                if (cp < n) delta++;
                if (cp != n) continue;
                var q = delta;
                for (var k = Base; ; k += Base)
                {
                    var t = k <= bias ? TMin : k >= bias + TMax ? TMax : k - bias;
                    if (q < t) break;
                    output.Append(Digit(t + (q - t) % (Base - t)));
                    q = (q - t) / (Base - t);
                }
                output.Append(Digit(q));
                bias = Adapt(delta, handled + 1, handled == basicCount);
                delta = 0;
                handled++;
            }
            delta++;
            n++;
        }
        return output.ToString();
    }

    private static char Digit(int d) => (char)(d < 26 ? 'a' + d : '0' + d - 26);

    private static int Adapt(int delta, int numPoints, bool firstTime)
    {
        delta = firstTime ? delta / Damp : delta / 2;
        delta += delta / numPoints;
        var k = 0;
        while (delta > ((Base - TMin) * TMax) / 2)
        {
            delta /= Base - TMin;
            k += Base;
        }
        return k + (Base - TMin + 1) * delta / (delta + Skew);
    }
}
