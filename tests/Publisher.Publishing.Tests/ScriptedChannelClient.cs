using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Worker.Channels;

namespace Publisher.Publishing.Tests;

/// <summary>
/// Stands in for a network in the job's own tests (the real clients are tested against their fake servers
/// elsewhere): each call takes the next scripted answer and is recorded.
/// </summary>
public sealed class ScriptedChannelClient : IChannelClient
{
    private readonly Queue<Func<PublishRequest, IPublishProgress, CancellationToken, Task<PublishResult>>> _answers = new();
    private readonly List<PublishRequest> _calls = [];
    private readonly List<DateTimeOffset> _callTimes = [];
    private int _reconciles;

    public ChannelKind Kind => ChannelKind.Mastodon;
    public ReconcileResult ReconcileAnswer { get; set; } = new(ReconcileVerdict.Unknown, Detail: "cannot tell");

    public IReadOnlyList<PublishRequest> Calls
    {
        get { lock (_calls) return _calls.ToList(); }
    }

    /// <summary>When each call arrived, in the order of <see cref="Calls"/>.</summary>
    public IReadOnlyList<DateTimeOffset> CallTimes
    {
        get { lock (_calls) return _callTimes.ToList(); }
    }

    public int Reconciles => Volatile.Read(ref _reconciles);

    public ScriptedChannelClient Then(Func<PublishRequest, IPublishProgress, CancellationToken, Task<PublishResult>> answer)
    {
        lock (_answers) _answers.Enqueue(answer);
        return this;
    }

    public ScriptedChannelClient Then(PublishResult result) => Then((_, _, _) => Task.FromResult(result));

    public async Task<PublishResult> PublishAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken)
    {
        lock (_calls)
        {
            _calls.Add(request);
            _callTimes.Add(DateTimeOffset.UtcNow);
        }
        Func<PublishRequest, IPublishProgress, CancellationToken, Task<PublishResult>>? answer;
        lock (_answers) _answers.TryDequeue(out answer);
        return answer is null
            ? PublishResult.Published($"post-{_calls.Count}", $"https://social.example/@brand/{_calls.Count}")
            : await answer(request, progress, cancellationToken);
    }

    public Task<ReconcileResult> ReconcileAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reconciles);
        return Task.FromResult(ReconcileAnswer);
    }

    public Task<ConnectionCheck> TestConnectionAsync(ChannelConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult(new ConnectionCheck(connection.Credentials.ContainsKey("access_token"), "scripted"));

    public static PublishResult Failure(PublishOutcome outcome, int? status, string detail, TimeSpan? retryAfter = null) =>
        new(outcome, HttpStatus: status, Detail: detail, RetryAfter: retryAfter);
}
