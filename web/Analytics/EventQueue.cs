using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Npgsql;
using Publisher.Core.Analytics;

namespace Publisher.Web.Analytics;

/// <summary>
/// Rows waiting in memory to be written: a request adds its row and answers at once, never waiting on the
/// database. A background writer (<see cref="EventQueueWriter{T}"/>) takes them in batches. When the database is
/// away, rows stay here (up to <see cref="AnalyticsOptions.QueueCapacity"/>) and are written once it is back;
/// beyond that they are dropped, and counted and logged as lost.
/// </summary>
public sealed class EventQueue<T>(IOptions<AnalyticsOptions> options, ILogger<EventQueue<T>> logger)
{
    private readonly ConcurrentQueue<T> _rows = new();
    private readonly int _capacity = options.Value.QueueCapacity;
    private int _count;
    private long _accepted;
    private long _lost;
    private long _written;

    /// <summary>Rows waiting now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Rows taken in since the process started.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Rows dropped because memory was full (or written off when the process stopped with the database away).</summary>
    public long Lost => Interlocked.Read(ref _lost);

    /// <summary>Rows the database has.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Adds a row; false (and counted as lost) when the queue is full.</summary>
    public bool TryAdd(T row)
    {
        if (Interlocked.Increment(ref _count) > _capacity)
        {
            Interlocked.Decrement(ref _count);
            var lost = Interlocked.Increment(ref _lost);
            // One line per thousand, not one per request: a long outage must not flood the log.
            if (lost % 1000 == 1)
                logger.LogError("The {Kind} queue is full ({Capacity:N0} rows waiting for the database): {Lost:N0} rows lost so far.", typeof(T).Name, _capacity, lost);
            return false;
        }
        _rows.Enqueue(row);
        Interlocked.Increment(ref _accepted);
        return true;
    }

    /// <summary>Takes up to <paramref name="max"/> rows, oldest first.</summary>
    internal List<T> Take(int max)
    {
        var batch = new List<T>(Math.Min(max, Math.Max(Count, 1)));
        while (batch.Count < max && _rows.TryDequeue(out var row))
            batch.Add(row);
        Interlocked.Add(ref _count, -batch.Count);
        return batch;
    }

    internal void MarkWritten(int rows) => Interlocked.Add(ref _written, rows);

    internal void MarkLost(int rows) => Interlocked.Add(ref _lost, rows);
}

/// <summary>Writes a batch of rows in one statement (COPY, or a multi-row insert): all of them or none.</summary>
public interface IEventBatchWriter<T>
{
    Task WriteAsync(NpgsqlConnection connection, IReadOnlyList<T> batch, CancellationToken cancellationToken);
}

/// <summary>
/// Empties an <see cref="EventQueue{T}"/> into PostgreSQL every <see cref="AnalyticsOptions.FlushInterval"/>, in batches
/// of up to <see cref="AnalyticsOptions.FlushBatchSize"/>. A batch that fails is kept and tried again (backing off up
/// to 30 s), so an outage only delays rows; every failure is logged with how many rows wait.
/// </summary>
public sealed class EventQueueWriter<T>(EventQueue<T> queue, IEventBatchWriter<T> writer, AnalyticsDatabase database, IOptions<AnalyticsOptions> options,
    ILogger<EventQueueWriter<T>> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private List<T>? _failed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.FlushInterval;
        var backoff = TimeSpan.Zero;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(backoff > TimeSpan.Zero ? backoff : interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (await FlushAsync(stoppingToken))
            {
                if (failures > 0)
                    logger.LogWarning("The database takes {Kind} rows again after {Failures} failed writes; {Waiting:N0} rows wait.", typeof(T).Name, failures, queue.Count);
                failures = 0;
                backoff = TimeSpan.Zero;
            }
            else
            {
                failures++;
                backoff = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(failures, 10))));
            }
        }
        // Stopping: one last try for what is left, then what cannot be written is counted as lost.
        using var lastTry = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        if (!await FlushAsync(lastTry.Token) || queue.Count > 0 || _failed is { Count: > 0 })
        {
            var left = queue.Count + (_failed?.Count ?? 0);
            queue.MarkLost(left);
            if (left > 0)
                logger.LogError("Stopping with {Left:N0} {Kind} rows the database did not take: they are lost.", left, typeof(T).Name);
        }
    }

    /// <summary>Writes everything waiting; false when a write failed (its rows are kept for the next try).</summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        var max = options.Value.FlushBatchSize;
        while (true)
        {
            var batch = _failed ?? queue.Take(max);
            _failed = null;
            if (batch.Count == 0)
                return true;
            try
            {
                await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
                await writer.WriteAsync(connection, batch, cancellationToken);
                queue.MarkWritten(batch.Count);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException or InvalidOperationException)
            {
                _failed = batch;
                if (e is not OperationCanceledException)
                    logger.LogWarning("Could not write {Count:N0} {Kind} rows ({Error}); they are kept and tried again. {Waiting:N0} more wait.",
                        batch.Count, typeof(T).Name, e.Message, queue.Count);
                return false;
            }
            if (batch.Count < max)
                return true;
        }
    }
}
