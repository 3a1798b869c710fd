using Hangfire;
using Microsoft.EntityFrameworkCore;
using Publisher.Analytics.Engagement;
using Publisher.Core.Analytics;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Worker.Channels;
using Publisher.Worker.Publishing;

namespace Publisher.Worker.Analytics;

/// <summary>What one run of <see cref="EngagementJob"/> did.</summary>
public sealed record EngagementRun(int PostsDue, int Readings, IReadOnlyList<string> Problems);

/// <summary>
/// Reads the public metrics of published posts that are due on the <see cref="EngagementSchedule"/> and stores each
/// reading as a new <see cref="EngagementSnapshot"/> row. A network that fails or rate-limits an account is left
/// alone for the rest of the run (the posts stay due, so the next run tries again); the rest go on.
/// </summary>
public sealed class EngagementJob(
    PublisherDbContext db, ChannelCredentials credentials, IEnumerable<IEngagementReader> readers, TimeProvider clock, ILogger<EngagementJob> logger)
{
    /// <summary>Bounds one run's calls; a backlog (after an outage) is read over the next runs, oldest posts first.</summary>
    public const int MaxPostsPerRun = 400;

    /// <summary>Written for a post the network no longer has, so a deleted post is not asked for again at every run.</summary>
    public const string MissingRaw = """{"missing": true}"""; // as jsonb spells it back

    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [AutomaticRetry(Attempts = 0)] // the next run is the retry: the posts stay due
    public async Task<EngagementRun> ReadDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var byKind = readers.GroupBy(r => r.Kind.ToString()).ToDictionary(g => g.Key, g => g.First());
        var kinds = byKind.Keys.ToList();
        var since = now - EngagementSchedule.LastReading - TimeSpan.FromDays(2);
        var published = await db.Variants.AsNoTracking()
            .Where(v => v.State == VariantState.Published && v.PublishedAt != null && v.PublishedAt >= since && v.ExternalId != null
                        && kinds.Contains(v.ChannelAccount!.Kind) && v.ChannelAccount.IsEnabled && !v.ChannelAccount.IsDemo)
            .Select(v => new
            {
                v.Id, v.ChannelAccountId, PublishedAt = v.PublishedAt!.Value, ExternalId = v.ExternalId!, v.ExternalPartIds,
                LastReadAt = db.EngagementSnapshots.Where(s => s.VariantId == v.Id).Max(s => (DateTimeOffset?)s.FetchedAt),
            })
            .ToListAsync(cancellationToken);
        var due = published.Where(v => EngagementSchedule.IsDue(v.PublishedAt, v.LastReadAt, now))
            .OrderBy(v => v.PublishedAt).Take(MaxPostsPerRun).ToList();

        var readings = 0;
        var problems = new List<string>();
        foreach (var account in due.GroupBy(v => v.ChannelAccountId))
        {
            var stored = await db.ChannelAccounts.AsNoTracking().SingleAsync(a => a.Id == account.Key, cancellationToken);
            ChannelConnection connection;
            try
            {
                connection = AccountConnection.For(stored, credentials);
            }
            catch (ChannelConfigurationException e)
            {
                problems.Add(e.Message);
                logger.LogWarning("Engagement of {Account} not read: {Reason}", stored.Name, e.Message);
                continue;
            }
            var reader = byKind[stored.Kind];
            // A thread's parts are read one by one: each has its own likes and replies.
            var posts = account.SelectMany(v => (v.ExternalPartIds.Count > 0 ? v.ExternalPartIds : [v.ExternalId]).Select(id => (VariantId: v.Id, PostId: id))).ToList();
            foreach (var chunk in posts.Chunk(reader.MaxPostsPerRead))
            {
                var read = await reader.ReadEngagementAsync(connection, chunk.Select(p => p.PostId).ToList(), cancellationToken);
                var answered = read.Posts.ToDictionary(p => p.PostId, StringComparer.Ordinal);
                foreach (var (variantId, postId) in chunk)
                {
                    if (answered.TryGetValue(postId, out var metrics))
                        db.EngagementSnapshots.Add(Snapshot(variantId, stored.Id, metrics, now));
                    else if (read.Failure is null)
                        db.EngagementSnapshots.Add(new EngagementSnapshot { VariantId = variantId, ChannelAccountId = stored.Id, ExternalId = postId, FetchedAt = now, Raw = MissingRaw });
                    else
                        continue;
                    readings++;
                }
                await db.SaveChangesAsync(cancellationToken);
                if (read.Failure is { } failure)
                {
                    var problem = $"{stored.Name}: {failure.Detail ?? failure.Outcome.ToString()}" + (failure.RetryAfter is { } wait ? $" (retry after {wait.TotalSeconds:0} s)" : "");
                    problems.Add(problem);
                    logger.LogWarning("Engagement reading stopped for {Account} until the next run: {Problem}", stored.Name, problem);
                    break;
                }
            }
        }
        return new EngagementRun(due.Count, readings, problems);
    }

    private static EngagementSnapshot Snapshot(Guid variantId, Guid accountId, PostMetrics metrics, DateTimeOffset now) => new()
    {
        VariantId = variantId, ChannelAccountId = accountId, ExternalId = metrics.PostId, FetchedAt = now,
        Likes = metrics.Likes, Reposts = metrics.Reposts, Replies = metrics.Replies, Quotes = metrics.Quotes,
        Impressions = metrics.Impressions, Clicks = metrics.Clicks,
        Raw = metrics.Raw is { Length: <= EngagementSnapshot.MaxRawLength } raw ? raw : null,
    };

    public static void Schedule(IRecurringJobManager jobs) =>
        jobs.AddOrUpdate<EngagementJob>("analytics-engagement", j => j.ReadDueAsync(CancellationToken.None), "*/15 * * * *");
}
