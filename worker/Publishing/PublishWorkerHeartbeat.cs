using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Npgsql;
using Publisher.Core;
using Publisher.Core.Publishing;

namespace Publisher.Worker.Publishing;

/// <summary>
/// This worker's heartbeat: a row in <c>PublishWorkers</c> whose <c>SeenAt</c> it sets to the database's clock every
/// <see cref="PublishingOptions.HeartbeatInterval"/>. An attempt belongs to its worker while that row is fresh; once it
/// is older than <see cref="PublishingOptions.WorkerDeadAfter"/> the other workers take the attempt over.
/// <para>
/// It beats from a thread of its own with blocking calls on a connection of its own, so a busy thread pool or an
/// exhausted connection pool cannot make a working process look dead. Two guards keep a database outage from
/// making every worker look dead to every other: this worker claims nothing unless its own heartbeat is being
/// written (<see cref="IsBeating"/>), and it judges another worker dead only after beating without a break for a
/// whole <see cref="PublishingOptions.WorkerDeadAfter"/> itself (<see cref="CanJudgeOthers"/>): when the database
/// comes back, every live worker beats again long before anyone may judge it.
/// </para>
/// </summary>
public sealed class PublishWorkerHeartbeat(IOptions<DatabaseOptions> database, IOptions<PublishingOptions> options, ILogger<PublishWorkerHeartbeat> log)
    : IHostedService, IDisposable
{
    /// <summary>machine:pid:instance. The random part tells apart two processes that got the same id (a restarted container is pid 1 again).</summary>
    public static string Name { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{RandomNumberGenerator.GetHexString(6, lowercase: true)}";

    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;
    private long _lastBeat;
    private long _unbrokenSince;
    private bool _failing;

    private TimeSpan Interval => options.Value.HeartbeatInterval;
    private TimeSpan DeadAfter => options.Value.WorkerDeadAfter;

    /// <summary>The last heartbeat was written recently: this worker may claim, and what it claims is known to be its own.</summary>
    public bool IsBeating => Interlocked.Read(ref _lastBeat) is var last and not 0 && Stopwatch.GetElapsedTime(last) < DeadAfter / 2;

    /// <summary>
    /// This worker has beaten without a break for a whole <see cref="PublishingOptions.WorkerDeadAfter"/>: any other
    /// worker that can reach the database has had time to beat as well, so one whose heartbeat is older is dead.
    /// </summary>
    public bool CanJudgeOthers => IsBeating && Interlocked.Read(ref _unbrokenSince) is var since and not 0 && Stopwatch.GetElapsedTime(since) >= DeadAfter;

    /// <summary>Waits (polling) until the heartbeat has been written once; false when <paramref name="cancellationToken"/> ends first.</summary>
    public async Task<bool> WaitUntilBeatingAsync(CancellationToken cancellationToken)
    {
        while (!IsBeating)
        {
            if (cancellationToken.IsCancellationRequested)
                return false;
            await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        }
        return true;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "Publisher heartbeat" };
        _thread.Start();
        return Task.CompletedTask;
    }

    /// <summary>Stops beating and removes the row, so the other workers take over at once whatever this one leaves open.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(10));
        return Task.CompletedTask;
    }

    private void Run()
    {
        NpgsqlConnection? connection = null;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                connection ??= Open();
                Execute(connection, """
                    INSERT INTO "PublishWorkers" ("Name", "StartedAt", "SeenAt") VALUES (@name, now(), now())
                    ON CONFLICT ("Name") DO UPDATE SET "SeenAt" = now()
                    """);
                Beaten();
            }
            catch (Exception e)
            {
                connection?.Dispose();
                connection = null;
                Missed(e);
            }
            _stop.Token.WaitHandle.WaitOne(Interval);
        }
        try
        {
            connection ??= Open();
            Execute(connection, """DELETE FROM "PublishWorkers" WHERE "Name" = @name""");
        }
        catch (Exception e)
        {
            // Then the row simply goes stale, and the others take over after WorkerDeadAfter instead of at once.
            log.LogInformation("Could not remove this worker's heartbeat on stopping ({Error})", e.Message);
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private void Beaten()
    {
        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastBeat);
        // A gap of half the dead time (a failed beat, a frozen process) breaks the run: judging others waits again.
        if (last == 0 || Interlocked.Read(ref _unbrokenSince) == 0 || Stopwatch.GetElapsedTime(last, now) >= DeadAfter / 2)
            Interlocked.Exchange(ref _unbrokenSince, now);
        Interlocked.Exchange(ref _lastBeat, now);
        if (_failing)
        {
            _failing = false;
            log.LogInformation("The heartbeat of worker {Worker} is written again", Name);
        }
    }

    private void Missed(Exception e)
    {
        Interlocked.Exchange(ref _unbrokenSince, 0);
        if (_failing)
            return;
        _failing = true;
        log.LogWarning("Writing the heartbeat of worker {Worker} failed ({Error}); it claims nothing until the database answers again", Name, e.Message);
    }

    private NpgsqlConnection Open()
    {
        var builder = new NpgsqlConnectionStringBuilder(database.Value.ConnectionString)
        {
            Pooling = false,
            Timeout = Math.Max(1, (int)Interval.TotalSeconds * 2),
            CommandTimeout = Math.Max(1, (int)Interval.TotalSeconds * 2),
            ApplicationName = "Publisher heartbeat",
        };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("name", Name);
        command.ExecuteNonQuery();
    }

    /// <summary>Stops the beat when the services are disposed without being stopped (a test's service provider).</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(10));
    }
}
