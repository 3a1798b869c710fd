using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Publisher.Templates.Bluesky;
using Publisher.Templates.Counting;

namespace Publisher.Templates.Tests.Reference;

/// <summary>One entity or facet, as the reference libraries and Publisher both describe it.</summary>
public sealed record ReferenceEntity(string Type, int Start, int End, string Value)
{
    public override string ToString() => $"{Type}[{Start},{End})={Value}";
}

public sealed record XAnswer(int WeightedLength, bool Valid, List<ReferenceEntity> Entities);

public sealed record BlueskyAnswer(string Text, int Graphemes, List<ReferenceEntity> Facets);

public sealed record Answer(XAnswer X, BlueskyAnswer Bluesky);

public sealed record ReferenceRun(List<string> BlueskyTlds, List<Answer> Answers);

/// <summary>
/// Runs tests/reference/reference.js (twitter-text 3.1.0 and @atproto/api, installed from the lockfile by
/// test.sh with npm ci) on a list of texts and reads their answers; and gives Publisher's answers in the same shape.
/// </summary>
public static class ReferenceLibraries
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Converters = { new EntityConverter() },
    };

    public static string Folder => Path.Combine(ConformanceFiles.RepoRoot, "tests", "reference");

    public static ReferenceRun Run(IReadOnlyList<string> texts)
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "twitter-text")) || !Directory.Exists(Path.Combine(Folder, "node_modules", "@atproto", "api")))
            throw new InvalidOperationException($"The reference libraries are not installed: run 'npm ci' in {Folder} (test.sh does it).");
        var input = Path.Combine(Path.GetTempPath(), $"publisher-reference-{Guid.NewGuid():N}.json");
        File.WriteAllText(input, JsonSerializer.Serialize(texts), new UTF8Encoding(false));
        try
        {
            var start = new ProcessStartInfo("node", [Path.Combine(Folder, "reference.js"), input])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
                WorkingDirectory = Folder,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started: is Node.js on PATH?");
            var stderr = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("The reference script did not finish within two minutes.");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"The reference script failed ({process.ExitCode}): {stderr.Result}");
            return JsonSerializer.Deserialize<ReferenceRun>(output, Json) ?? throw new InvalidOperationException("The reference script printed nothing.");
        }
        finally
        {
            File.Delete(input);
        }
    }

    /// <summary>Publisher's answer for <paramref name="text"/>, field for field.</summary>
    public static Answer Publisher(string text)
    {
        var parsed = XWeightedLength.Parse(text);
        var entities = XEntities.Extract(text).Select(e => new ReferenceEntity(e.Kind switch
        {
            XEntityKind.Url => "url",
            XEntityKind.Hashtag => "hashtag",
            XEntityKind.Mention => "mention",
            _ => "cashtag",
        }, e.Start, e.End, e.Value)).ToList();
        var post = BlueskyFacets.Prepare(text);
        var facets = post.Facets.Select(f => new ReferenceEntity(f.Kind switch
        {
            BlueskyFacetKind.Link => "link",
            BlueskyFacetKind.Mention => "mention",
            _ => "tag",
        }, f.ByteStart, f.ByteEnd, f.Value)).ToList();
        return new Answer(new XAnswer(parsed.WeightedLength, parsed.IsValid, entities),
            new BlueskyAnswer(post.Text, ChannelCounter.Graphemes(post.Text), facets));
    }

    /// <summary>Every field where <paramref name="ours"/> differs from <paramref name="reference"/>, described.</summary>
    public static IEnumerable<string> Differences(string text, Answer reference, Answer ours)
    {
        var shown = JsonSerializer.Serialize(text);
        if (reference.X.WeightedLength != ours.X.WeightedLength || reference.X.Valid != ours.X.Valid)
            yield return $"{shown}: X length {ours.X.WeightedLength} valid={ours.X.Valid}, twitter-text {reference.X.WeightedLength} valid={reference.X.Valid}";
        if (!reference.X.Entities.SequenceEqual(ours.X.Entities))
            yield return $"{shown}: X entities [{string.Join(", ", ours.X.Entities)}], twitter-text [{string.Join(", ", reference.X.Entities)}]";
        if (reference.Bluesky.Text != ours.Bluesky.Text)
            yield return $"{shown}: Bluesky text {JsonSerializer.Serialize(ours.Bluesky.Text)}, app {JsonSerializer.Serialize(reference.Bluesky.Text)}";
        if (reference.Bluesky.Graphemes != ours.Bluesky.Graphemes)
            yield return $"{shown}: Bluesky graphemes {ours.Bluesky.Graphemes}, RichText {reference.Bluesky.Graphemes}";
        if (!reference.Bluesky.Facets.SequenceEqual(ours.Bluesky.Facets))
            yield return $"{shown}: Bluesky facets [{string.Join(", ", ours.Bluesky.Facets)}], RichText [{string.Join(", ", reference.Bluesky.Facets)}]";
    }

    // The script writes entities as {type,start,end,value} for X and {type,byteStart,byteEnd,value} for Bluesky.
    private sealed class EntityConverter : JsonConverter<ReferenceEntity>
    {
        public override ReferenceEntity Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            var e = document.RootElement;
            int Number(string a, string b) => (e.TryGetProperty(a, out var v) ? v : e.GetProperty(b)).GetInt32();
            return new ReferenceEntity(e.GetProperty("type").GetString()!, Number("start", "byteStart"), Number("end", "byteEnd"),
                e.GetProperty("value").GetString() ?? "");
        }

        public override void Write(Utf8JsonWriter writer, ReferenceEntity value, JsonSerializerOptions options) =>
            throw new NotSupportedException();
    }
}
