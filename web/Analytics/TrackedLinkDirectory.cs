using System.Collections.Concurrent;
using Npgsql;
using Publisher.Core.Analytics;

namespace Publisher.Web.Analytics;

/// <summary>Where a tracked link leads, and what a click on it is credited to.</summary>
public sealed record LinkTarget(string Destination, Guid VariantId, Guid ChannelAccountId, Guid? CampaignId);

/// <summary>
/// Every tracked link, in memory, so the redirect answers without the database: loaded when the app starts, brought
/// up to date every few seconds, and asked of the database (briefly, a few at a time) for a code not known yet. A
/// database outage then costs no redirect of a link that existed before it.
/// </summary>
public sealed class TrackedLinkDirectory(AnalyticsDatabase database, ILogger<TrackedLinkDirectory> logger) : BackgroundService
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(2);
    private const int MaxUnknownRemembered = 100_000;

    private readonly ConcurrentDictionary<string, LinkTarget> _links = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unknown = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _lookups = new(4);
    private DateTimeOffset _loadedUpTo = DateTimeOffset.MinValue;

    private const string Select = """
        SELECT t."Code", t."Destination", t."VariantId", v."ChannelAccountId", m."CampaignId", t."CreatedAt"
        FROM "TrackedLinks" t JOIN "Variants" v ON v."Id" = t."VariantId" JOIN "Messages" m ON m."Id" = v."MessageId"
        """;

    public int Count => _links.Count;

    /// <summary>The link with <paramref name="code"/>, from memory or, when not there, from the database; null when there is none.</summary>
    public async ValueTask<LinkTarget?> FindAsync(string code, CancellationToken cancellationToken)
    {
        if (_links.TryGetValue(code, out var target))
            return target;
        if (_unknown.TryGetValue(code, out var until) && until > DateTimeOffset.UtcNow)
            return null;
        // A code made a moment ago is not loaded yet: ask, but never let a flood of made-up codes queue up on the database.
        if (!await _lookups.WaitAsync(TimeSpan.Zero, cancellationToken))
            return null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(LookupTimeout);
            await using var connection = await database.Source.OpenConnectionAsync(timeout.Token);
            await using var command = new NpgsqlCommand(Select + " WHERE t.\"Code\" = @code", connection);
            command.Parameters.AddWithValue("code", code);
            await using var reader = await command.ExecuteReaderAsync(timeout.Token);
            if (await reader.ReadAsync(timeout.Token))
                return _links[code] = Read(reader);
            if (_unknown.Count < MaxUnknownRemembered)
                _unknown[code] = DateTimeOffset.UtcNow.AddMinutes(1);
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            _lookups.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning("Could not refresh the tracked links ({Error}); the {Count:N0} known ones keep working.", e.Message, _links.Count);
            }
            try
            {
                await Task.Delay(RefreshInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (_unknown.Count > MaxUnknownRemembered / 2)
                _unknown.Clear();
        }
    }

    /// <summary>Loads the links made since the last load.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        // A little overlap: a link committed late with an earlier time is not missed.
        var since = _loadedUpTo == DateTimeOffset.MinValue ? DateTimeOffset.MinValue : _loadedUpTo.AddMinutes(-1);
        await using var command = new NpgsqlCommand(Select + " WHERE t.\"CreatedAt\" >= @since", connection);
        command.Parameters.AddWithValue("since", since == DateTimeOffset.MinValue ? DateTimeOffset.UnixEpoch : since);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var newest = _loadedUpTo;
        while (await reader.ReadAsync(cancellationToken))
        {
            _links[reader.GetString(0)] = Read(reader);
            var created = reader.GetFieldValue<DateTimeOffset>(5);
            if (created > newest)
                newest = created;
        }
        _loadedUpTo = newest == DateTimeOffset.MinValue ? DateTimeOffset.UtcNow.AddMinutes(-1) : newest;
    }

    private static LinkTarget Read(NpgsqlDataReader reader) =>
        new(reader.GetString(1), reader.GetGuid(2), reader.GetGuid(3), reader.IsDBNull(4) ? null : reader.GetGuid(4));
}
