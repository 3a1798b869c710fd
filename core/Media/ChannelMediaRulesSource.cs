using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Publisher.Core.Domain;
using Publisher.Media.Rules;

namespace Publisher.Core.Media;

/// <summary>
/// The media rules of an account: the table's, except for a Mastodon account, whose own instance states its limits in
/// <c>GET /api/v2/instance</c> (configuration.statuses.max_media_attachments, configuration.media_attachments.*). Those are
/// read in the background and kept for an hour; until they arrive, or when the instance cannot be reached, the table's
/// defaults apply. Writing never waits on the network.
/// </summary>
public sealed class ChannelMediaRulesSource(IHttpClientFactory http, TimeProvider clock, ILogger<ChannelMediaRulesSource> log)
{
    public const string HttpClientName = "mastodon-instance";
    private static readonly TimeSpan Fresh = TimeSpan.FromHours(1);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (ChannelMediaRules? Rules, DateTimeOffset CheckedAt, bool Fetching)> _instances = new();

    /// <summary>The rules for the account's channel; null when Publisher has none for its kind.</summary>
    public ChannelMediaRules? For(ChannelAccount account)
    {
        var rules = ChannelMediaTable.For(account.Kind);
        if (rules is null || account.Kind != "Mastodon" || account.IsDemo || !Uri.TryCreate(account.BaseAddress, UriKind.Absolute, out var baseAddress))
            return rules;
        var key = baseAddress.GetLeftPart(UriPartial.Authority);
        var now = clock.GetUtcNow();
        var entry = _instances.GetOrAdd(key, _ => (null, DateTimeOffset.MinValue, false));
        var age = now - entry.CheckedAt;
        if (!entry.Fetching && (entry.Rules is null ? age > RetryAfterFailure : age > Fresh)
            && _instances.TryUpdate(key, entry with { Fetching = true }, entry))
            _ = RefreshAsync(key, rules, entry.Rules);
        return entry.Rules ?? rules;
    }

    /// <summary>Fetches the instance's limits now and waits for them (the Channels page shows them; tests use it).</summary>
    public async Task<ChannelMediaRules?> ForNowAsync(ChannelAccount account)
    {
        var rules = ChannelMediaTable.For(account.Kind);
        if (rules is null || account.Kind != "Mastodon" || account.IsDemo || !Uri.TryCreate(account.BaseAddress, UriKind.Absolute, out var baseAddress))
            return rules;
        var key = baseAddress.GetLeftPart(UriPartial.Authority);
        var previous = _instances.TryGetValue(key, out var entry) ? entry.Rules : null;
        await RefreshAsync(key, rules, previous);
        return _instances.TryGetValue(key, out entry) ? entry.Rules ?? rules : rules;
    }

    private async Task RefreshAsync(string instance, ChannelMediaRules defaults, ChannelMediaRules? previous)
    {
        ChannelMediaRules? read = null;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var response = await http.CreateClient(HttpClientName).GetAsync(instance + "/api/v2/instance", timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token), default, timeout.Token);
                read = FromInstance(defaults, json.RootElement);
            }
            else
                log.LogInformation("{Instance}/api/v2/instance answered {Status}; Mastodon's default media limits apply", instance, (int)response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
        {
            log.LogInformation("Reading {Instance}/api/v2/instance failed ({Error}); Mastodon's default media limits apply", instance, e.Message);
        }
        _instances[instance] = (read ?? previous, clock.GetUtcNow(), false);
    }

    /// <summary>The table's Mastodon rules with every limit the instance states in its configuration.</summary>
    public static ChannelMediaRules FromInstance(ChannelMediaRules defaults, JsonElement instance)
    {
        if (instance.ValueKind != JsonValueKind.Object || !instance.TryGetProperty("configuration", out var configuration) || configuration.ValueKind != JsonValueKind.Object)
            return defaults;
        long? Number(JsonElement parent, string name) =>
            parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n > 0 ? n : null;
        var statuses = configuration.TryGetProperty("statuses", out var s) ? s : default;
        var media = configuration.TryGetProperty("media_attachments", out var m) ? m : default;
        var rules = defaults;
        if (Number(statuses, "max_media_attachments") is { } count)
            rules = rules with { MaxItems = (int)Math.Min(count, 100), MaxImages = (int)Math.Min(count, 100) };
        if (Number(media, "image_size_limit") is { } imageBytes)
            rules = rules with { MaxImageBytes = imageBytes, MaxGifBytes = imageBytes };
        if (Number(media, "image_matrix_limit") is { } pixels)
            rules = rules with { MaxImagePixels = pixels, MaxLongSide = (int)Math.Min(rules.MaxLongSide, Math.Floor(Math.Sqrt(pixels))) };
        if (Number(media, "video_size_limit") is { } videoBytes)
            rules = rules with { MaxVideoBytes = videoBytes };
        if (Number(media, "description_limit") is { } alt)
            rules = rules with { MaxAltTextLength = (int)Math.Min(alt, 100_000) };
        return rules;
    }
}
