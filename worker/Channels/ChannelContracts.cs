using Publisher.Core.Domain;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels;

/// <summary>
/// Where and as whom to post: the account's API base address, its decrypted credentials and its non-secret
/// settings. Credentials never leave the worker and are never logged.
/// </summary>
public sealed record ChannelConnection(
    ChannelKind Kind,
    string AccountName,
    string? Handle,
    Uri BaseAddress,
    IReadOnlyDictionary<string, string> Credentials,
    IReadOnlyDictionary<string, string> Settings)
{
    public string Credential(string key) =>
        Credentials.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new ChannelConfigurationException($"The {AccountName} account has no “{key}” credential. An admin can add it on the Channels page.");

    public string Setting(string key) =>
        Settings.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new ChannelConfigurationException($"The {AccountName} account has no “{key}” setting. An admin can add it on the Channels page.");

    public string? OptionalSetting(string key) => Settings.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
}

/// <summary>A credential or setting the account needs is missing: a permanent failure a person must fix.</summary>
public sealed class ChannelConfigurationException(string message) : Exception(message);

/// <summary>Exactly what goes out for one variant, as approved.</summary>
public sealed record PublishRequest(
    Guid VariantId,
    ChannelConnection Connection,
    /// <summary>The text that goes out (the hand edit when there is one).</summary>
    string Text,
    /// <summary>For a thread: every part in order (Text is then the first part). Empty for a single post.</summary>
    IReadOnlyList<string> ThreadParts,
    string? Subject,
    string? Preheader,
    string? Html,
    string? Link,
    /// <summary>Bluesky: a JSON array with one facet array per part (as the renderer produced).</summary>
    string? FacetsJson,
    /// <summary>Webhook: the JSON payload as rendered.</summary>
    string? JsonPayload,
    string Title,
    /// <summary>Stable for the same variant and content across retries: send it where the network supports idempotency.</summary>
    string IdempotencyKey,
    /// <summary>Network ids of the parts already posted by an earlier attempt: a thread resumes after them.</summary>
    IReadOnlyList<string> PostedPartIds,
    DateTimeOffset ScheduledAt)
{
    /// <summary>The parts to post: the thread parts, or the text alone.</summary>
    public IReadOnlyList<string> Parts => ThreadParts.Count > 0 ? ThreadParts : [Text];
}

/// <summary>Told after each part of a thread is posted, so a retry after a crash resumes instead of posting it again.</summary>
public interface IPublishProgress
{
    Task PartPostedAsync(string externalId, CancellationToken cancellationToken);
}

/// <summary>What a publish call came to.</summary>
public sealed record PublishResult(
    PublishOutcome Outcome,
    string? ExternalId = null,
    string? ExternalUrl = null,
    int? HttpStatus = null,
    /// <summary>The API's own message for a failure, shown on the variant.</summary>
    string? Detail = null,
    /// <summary>From Retry-After or the network's rate-limit reset header, for a transient failure.</summary>
    TimeSpan? RetryAfter = null,
    /// <summary>
    /// The ids of the parts this call posted, set by the publish job (not by clients) so they are recorded with the
    /// outcome even when writing each part as it went out failed.
    /// </summary>
    IReadOnlyList<string>? PostedPartIds = null)
{
    public static PublishResult Published(string externalId, string? url) => new(PublishOutcome.Published, externalId, url);
}

public enum ReconcileVerdict
{
    /// <summary>The post is there: the attempt succeeded.</summary>
    Published,
    /// <summary>The post is certainly not there, or posting again is idempotent: publishing again is safe.</summary>
    SafeToRetry,
    /// <summary>The network cannot tell: a person must look and decide.</summary>
    Unknown,
}

public sealed record ReconcileResult(ReconcileVerdict Verdict, string? ExternalId = null, string? ExternalUrl = null, string? Detail = null);

public sealed record ConnectionCheck(bool Ok, string Message);

/// <summary>
/// One network. A client maps HTTP outcomes itself: 2xx → Published; timeouts after the request was sent →
/// Unknown; connection refused, 408, 429 and 5xx → Transient (with RetryAfter); 400, 401, 403, 404, 422 →
/// Permanent with the API's own message.
/// </summary>
public interface IChannelClient
{
    ChannelKind Kind { get; }

    Task<PublishResult> PublishAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken);

    /// <summary>
    /// Called when an earlier attempt of this request was interrupted (the worker died or timed out mid-call):
    /// find out whether the post went out, using the idempotency key or a lookup where the API allows.
    /// </summary>
    Task<ReconcileResult> ReconcileAsync(PublishRequest request, CancellationToken cancellationToken);

    /// <summary>A harmless authenticated call that proves the credentials work.</summary>
    Task<ConnectionCheck> TestConnectionAsync(ChannelConnection connection, CancellationToken cancellationToken);
}
