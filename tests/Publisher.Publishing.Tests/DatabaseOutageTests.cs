using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Database;
using Publisher.Core.Domain;
using Publisher.Core.Jobs;
using Publisher.Worker.Channels;
using Publisher.Worker.Publishing;

namespace Publisher.Publishing.Tests;

/// <summary>
/// What the network answered is never lost to a database that is away: each test runs on a PostgreSQL cluster of
/// its own, stopped and started under the worker's services.
/// </summary>
[Collection(PostgresCollection.Name)]
public class DatabaseOutageTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "publisher-outage-" + Guid.NewGuid().ToString("N")[..8]);
    private LocalPostgresCluster _cluster = null!;
    private PublishingHarness _h = null!;

    public async Task InitializeAsync()
    {
        _cluster = await LocalPostgresCluster.StartAsync(_folder, durable: true);
        _h = await PublishingHarness.StartAsync(_cluster);
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        await _cluster.StopAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private Task StopDatabaseAsync() => _cluster.StopAsync();

    private async Task StartDatabaseAsync() => _cluster = await LocalPostgresCluster.StartAsync(_folder, durable: true);

    [Fact]
    public async Task An_outcome_the_database_cannot_take_is_kept_and_written_once_it_is_back()
    {
        var id = await _h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddSeconds(-1));
        await using var scope = _h.Services.CreateAsyncScope();
        var job = (PublishVariantJob)scope.ServiceProvider.GetRequiredService<IPublishVariantJob>();
        var claim = Assert.Single(await job.ClaimDueAsync(10, CancellationToken.None));
        var recorder = _h.Services.GetRequiredService<OutcomeRecorder>();

        await StopDatabaseAsync();
        var written = recorder.RecordAsync(claim, PublishResult.Published("post-1", "https://social.example/@brand/1"));
        // Several tries fail while the database is away; the outcome is still held.
        await Task.WhenAny(written, Task.Delay(TimeSpan.FromSeconds(3)));
        Assert.False(written.IsCompleted, "the outcome cannot have been written with the database stopped");
        Assert.Equal(1, recorder.Unwritten);
        await StartDatabaseAsync();

        await written.WaitAsync(TimeSpan.FromSeconds(120));
        var variant = await _h.LoadAsync(id);
        Assert.Equal((VariantState.Published, "post-1"), (variant.State, variant.ExternalId));
        Assert.Equal(PublishOutcome.Published, Assert.Single(variant.PublishAttempts).Outcome);
        Assert.Equal(0, recorder.Unwritten);
    }

    [Fact]
    public async Task Thread_parts_posted_while_the_database_is_away_are_recorded_with_the_outcome()
    {
        string[] parts = ["1/3 Our spring blend is here.", "2/3 Notes of cherry and cocoa.", "3/3 In the shop Saturday."];
        _h.Client.Then(async (_, progress, token) =>
        {
            await progress.PartPostedAsync("part-1", token);
            await StopDatabaseAsync();
            await progress.PartPostedAsync("part-2", token); // cannot be stored now: the thread goes on
            await progress.PartPostedAsync("part-3", token);
            await StartDatabaseAsync();
            return PublishResult.Published("part-1", "https://social.example/@brand/part-1");
        });
        var id = await _h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddSeconds(-1), parts[0], parts);

        await _h.RunJobAsync(id);

        var variant = await _h.LoadAsync(id);
        Assert.Equal(VariantState.Published, variant.State);
        Assert.Equal(["part-1", "part-2", "part-3"], variant.ExternalPartIds);
        Assert.Single(_h.Client.Calls);
    }
}
