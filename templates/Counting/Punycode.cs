using System.Text;

namespace Publisher.Templates.Counting;

/// <summary>
/// Punycode (RFC 3492) as twitter-text applies it to a host's labels: a label with any character past
/// U+007E is encoded as it is written (no case mapping, no normalization) behind <c>xn--</c>; the
/// encoded length decides whether the label is valid (at most 63 characters).
/// </summary>
internal static class Punycode
{
    private const int Base = 36, TMin = 1, TMax = 26, Skew = 38, Damp = 700, InitialBias = 72, InitialN = 128;

    /// <summary>The length of <paramref name="label"/> in its ASCII form, or <see cref="int.MaxValue"/> when it cannot be encoded.</summary>
    public static int EncodedLabelLength(string label)
    {
        foreach (var c in label)
        {
            if (c > '\u007e') return Encode(label) is { } encoded ? "xn--".Length + encoded.Length : int.MaxValue;
        }
        return label.Length;
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
