using System.Text.Json;
using System.Text.Json.Serialization;

namespace Publisher.Templates.Counting;

/// <summary>A range of code points and the weight each of them has in the weighted length.</summary>
/// <param name="Start">First code point of the range (inclusive).</param>
/// <param name="End">Last code point of the range (inclusive).</param>
/// <param name="Weight">Weight of one code point in the range, in units of 1/<see cref="TwitterTextConfiguration.Scale"/>.</param>
public sealed record WeightedRange(int Start, int End, int Weight);

/// <summary>
/// The twitter-text weighting configuration (the shape of twitter-text's <c>config-v2.json</c> and
/// <c>config-v3.json</c>). <see cref="V3"/> is what X uses today.
/// </summary>
public sealed record TwitterTextConfiguration
{
    /// <summary>Configuration version (2 or 3).</summary>
    public int Version { get; init; } = 3;
    /// <summary>Maximum weighted length of a valid post.</summary>
    public int MaxWeightedTweetLength { get; init; } = 280;
    /// <summary>Divisor that turns summed weights into the weighted length.</summary>
    public int Scale { get; init; } = 100;
    /// <summary>Weight of a code point outside every range (and of one emoji when emoji parsing is on).</summary>
    public int DefaultWeight { get; init; } = 200;
    /// <summary>When true, a whole emoji sequence (ZWJ family, flag, keycap, skin tone) weighs <see cref="DefaultWeight"/> once.</summary>
    public bool EmojiParsingEnabled { get; init; } = true;
    /// <summary>Length every URL counts as, whatever its real length (t.co wrapping).</summary>
    public int TransformedUrlLength { get; init; } = 23;
    /// <summary>Code point ranges with a weight other than <see cref="DefaultWeight"/>.</summary>
    public IReadOnlyList<WeightedRange> Ranges { get; init; } = DefaultRanges;

    private static readonly WeightedRange[] DefaultRanges =
    [
        new(0, 4351, 100),
        new(8192, 8205, 100),
        new(8208, 8223, 100),
        new(8242, 8247, 100),
    ];

    /// <summary>twitter-text config v3: weighted ranges, emoji parsing on, URLs count 23.</summary>
    public static TwitterTextConfiguration V3 { get; } = new();

    /// <summary>twitter-text config v2: like v3 but every code point of an emoji is weighed on its own.</summary>
    public static TwitterTextConfiguration V2 { get; } = new() { Version = 2, EmojiParsingEnabled = false };

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>
    /// Reads a configuration in twitter-text's JSON shape. Returns null when the text is not such a configuration.
    /// </summary>
    public static TwitterTextConfiguration? FromJson(string json)
    {
        try
        {
            var file = JsonSerializer.Deserialize<ConfigurationFile>(json, JsonOptions);
            if (file is not { Scale: > 0, MaxWeightedTweetLength: > 0 }) return null;
            return new TwitterTextConfiguration
            {
                Version = file.Version,
                MaxWeightedTweetLength = file.MaxWeightedTweetLength,
                Scale = file.Scale,
                DefaultWeight = file.DefaultWeight,
                // twitter-text treats a configuration that does not mention emoji parsing as having it off (v2).
                EmojiParsingEnabled = file.EmojiParsingEnabled ?? false,
                TransformedUrlLength = file.TransformedUrlLength,
                Ranges = file.Ranges ?? Array.Empty<WeightedRange>(),
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record ConfigurationFile(
        int Version,
        int MaxWeightedTweetLength,
        int Scale,
        int DefaultWeight,
        bool? EmojiParsingEnabled,
        int TransformedUrlLength,
        WeightedRange[]? Ranges);
}
