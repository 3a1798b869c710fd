using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels.LinkedIn;

/// <summary>
/// Posts with LinkedIn's versioned Posts API (<c>POST /rest/posts</c>). One post, never a thread. LinkedIn has
/// no idempotency key and no lookup by our key, so an interrupted post cannot be reconciled automatically.
/// </summary>
public sealed partial class LinkedInClient(IHttpClientFactory httpClientFactory, TimeProvider clock) : IChannelClient
{
    /// <summary>The LinkedIn-Version used when the account sets none (yyyyMM; LinkedIn keeps each version about a year).</summary>
    public const string DefaultVersion = "202411";

    public ChannelKind Kind => ChannelKind.LinkedIn;

    public async Task<PublishResult> PublishAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken)
    {
        try
        {
            var connection = request.Connection;
            var body = new
            {
                author = connection.Setting("author_urn"),
                commentary = LittleText.Escape(request.Text),
                visibility = "PUBLIC",
                distribution = new { feedDistribution = "MAIN_FEED", targetEntities = Array.Empty<object>(), thirdPartyDistributionChannels = Array.Empty<object>() },
                lifecycleState = "PUBLISHED",
                isReshareDisabledByAuthor = false,
            };
            using var message = Versioned(connection, HttpMethod.Post, "rest/posts");
            message.Content = JsonContent.Create(body);
            using var response = await httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind)).SendAsync(message, cancellationToken);
            if (!response.IsSuccessStatusCode)
                return await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken);
            var urn = response.Headers.TryGetValues("x-restli-id", out var values) ? values.FirstOrDefault() : null;
            if (string.IsNullOrEmpty(urn))
                return new PublishResult(PublishOutcome.Unknown, HttpStatus: (int)response.StatusCode, Detail: "LinkedIn accepted the post but did not say its id (no x-restli-id header).");
            await progress.PartPostedAsync(urn, cancellationToken);
            return PublishResult.Published(urn, $"https://www.linkedin.com/feed/update/{urn}");
        }
        catch (Exception e) when (ChannelHttp.TryMapException(e, Kind, cancellationToken, out var failure))
        {
            return failure;
        }
    }

    public Task<ReconcileResult> ReconcileAsync(PublishRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new ReconcileResult(ReconcileVerdict.Unknown,
            Detail: "LinkedIn cannot tell whether an interrupted post went out: check the page's posts, then mark it published or publish again."));

    /// <summary>
    /// <c>GET /v2/userinfo</c>: a 401 means the token is invalid or expired. A 403 means the token works but lacks the
    /// openid/profile scopes (common for organization tokens), which posting does not need, so that counts as a pass.
    /// </summary>
    public async Task<ConnectionCheck> TestConnectionAsync(ChannelConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, ChannelHttp.Combine(connection.BaseAddress, "v2/userinfo"));
            ChannelHttp.Bearer(message, connection.Credential("access_token"));
            connection.Setting("author_urn");
            using var response = await httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind)).SendAsync(message, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Forbidden)
                return new ConnectionCheck(true, "LinkedIn accepts the token (it may not read the profile, which posting does not need).");
            if (!response.IsSuccessStatusCode) return await ChannelHttp.FailedCheckAsync(response, Kind, cancellationToken);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var name = document.RootElement.TryGetProperty("name", out var n) ? n.GetString() : null;
            return new ConnectionCheck(true, name is null ? "LinkedIn accepts the token." : $"Signed in to LinkedIn as {name}.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ChannelHttp.FailedCheck(e, Kind);
        }
    }

    private static HttpRequestMessage Versioned(ChannelConnection connection, HttpMethod method, string path)
    {
        var message = new HttpRequestMessage(method, ChannelHttp.Combine(connection.BaseAddress, path));
        ChannelHttp.Bearer(message, connection.Credential("access_token"));
        message.Headers.Add("LinkedIn-Version", connection.OptionalSetting("version") ?? DefaultVersion);
        message.Headers.Add("X-Restli-Protocol-Version", "2.0.0");
        return message;
    }
}
