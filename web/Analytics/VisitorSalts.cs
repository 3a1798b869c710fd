using Npgsql;
using Publisher.Analytics.Privacy;
using Publisher.Core.Analytics;

namespace Publisher.Web.Analytics;

/// <summary>
/// The salt of the current UTC day for visitor hashes, shared by every web process through the database (the first
/// to need a day's salt makes it) and held in memory, so a request never waits for it. Until the day's salt has been
/// read (just after midnight, or while the database is away) a salt of this process is used, which at worst counts
/// a visitor twice that day. The worker deletes salts of past days.
/// </summary>
public sealed class VisitorSalts(AnalyticsDatabase database, TimeProvider clock, ILogger<VisitorSalts> logger) : BackgroundService
{
    private sealed record DaySalt(DateOnly Day, byte[] Salt, bool Shared);

    private volatile DaySalt? _current;

    /// <summary>Today's salt (UTC).</summary>
    public byte[] Today()
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var current = _current;
        if (current is not null && current.Day == today)
            return current.Salt;
        // Never wait for the database here: use a salt of our own until the shared one is read.
        var local = new DaySalt(today, VisitorHash.NewSalt(), Shared: false);
        Interlocked.CompareExchange(ref _current, local, current);
        return _current!.Salt;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            if (_current is not { Shared: true } current || current.Day != today)
            {
                try
                {
                    _current = new DaySalt(today, await LoadAsync(today, stoppingToken), Shared: true);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
                {
                    logger.LogWarning("Could not read today's visitor salt ({Error}); this process uses its own until it can.", e.Message);
                }
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(15), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task<byte[]> LoadAsync(DateOnly day, CancellationToken cancellationToken)
    {
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            INSERT INTO "VisitorSalts" ("Day", "Salt") VALUES (@day, @salt) ON CONFLICT ("Day") DO NOTHING;
            SELECT "Salt" FROM "VisitorSalts" WHERE "Day" = @day;
            """, connection);
        command.Parameters.AddWithValue("day", day);
        command.Parameters.AddWithValue("salt", VisitorHash.NewSalt());
        return (byte[])(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
