using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels.X;

/// <summary>
/// Posts to X with the v2 API (<c>POST /2/tweets</c>), as the user: an OAuth 2.0 user token from Connect, or OAuth 1.0a keys. A thread is a chain
/// of replies. X has no idempotency key, so an interrupted post is reconciled by looking for its text on the
/// account's recent timeline. Media are uploaded first (<see cref="XMediaUploader"/>) and go with the first post.
/// </summary>
public sealed partial class XClient(IHttpClientFactory httpClientFactory, TimeProvider clock) : IChannelClient
{
    public ChannelKind Kind => ChannelKind.X;

    /// <summary>Makes the oauth_nonce; replaceable so a test can sign a known request.</summary>
    public Func<string> NonceFactory { get; init; } = () => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public async Task<PublishResult> PublishAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken)
    {
        var parts = request.Parts;
        var postedIds = request.PostedPartIds.ToList();
        var index = postedIds.Count;
        try
        {
            var signer = Signer(request.Connection);
            var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
            IReadOnlyList<string> mediaIds = [];
            if (index == 0 && request.Media.Count > 0)
            {
                var uploads = await new XMediaUploader(http, signer, request.Connection.BaseAddress, NonceFactory, clock).UploadAsync(request, progress, cancellationToken);
                if (uploads.Failure is not null) return uploads.Failure;
                mediaIds = uploads.MediaIds;
            }
            for (; index < parts.Count; index++)
            {
                var body = new JsonObject { ["text"] = parts[index] };
                if (index > 0)
                    body["reply"] = new JsonObject { ["in_reply_to_tweet_id"] = postedIds[index - 1] };
                else if (mediaIds.Count > 0)
                    body["media"] = new JsonObject { ["media_ids"] = new JsonArray(mediaIds.Select(id => (JsonNode)id!).ToArray()) };
                using var message = Signed(signer, HttpMethod.Post, ChannelHttp.Combine(request.Connection.BaseAddress, "2/tweets"));
                message.Content = JsonContent.Create(body);
                using var response = await http.SendAsync(message, cancellationToken);
                if (!response.IsSuccessStatusCode)
                    return ChannelHttp.ForPart(await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken), index, parts.Count);
                var id = await PostIdAsync(response, cancellationToken);
                if (id is null)
                    return ChannelHttp.ForPart(new PublishResult(PublishOutcome.Unknown, HttpStatus: (int)response.StatusCode, Detail: "X accepted the post but its answer had no post id."), index, parts.Count);
                postedIds.Add(id);
                await progress.PartPostedAsync(id, cancellationToken);
            }
        }
        catch (Exception e) when (ChannelHttp.TryMapException(e, Kind, cancellationToken, out var failure))
        {
            return ChannelHttp.ForPart(failure, index, parts.Count);
        }
        return PublishResult.Published(postedIds[0], PostUrl(request.Connection, postedIds[0]));
    }

    /// <summary>
    /// Looks for the parts not known to be posted on the account's 20 latest posts, by exact text. All found:
    /// Published. Otherwise Unknown: a post missing from the timeline is no proof it was not made (X may be slow
    /// to show it, or it may be further down), and X would accept the same text again only as a duplicate.
    /// </summary>
    public async Task<ReconcileResult> ReconcileAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var signer = Signer(request.Connection);
            var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
            var me = await GetJsonAsync(http, signer, request.Connection, "2/users/me", cancellationToken);
            if (me.Error is not null) return new ReconcileResult(ReconcileVerdict.Unknown, Detail: me.Error);
            var userId = me.Json!.Value.GetProperty("data").GetProperty("id").GetString()!;
            var timeline = await GetJsonAsync(http, signer, request.Connection, $"2/users/{Uri.EscapeDataString(userId)}/tweets?max_results=20", cancellationToken);
            if (timeline.Error is not null) return new ReconcileResult(ReconcileVerdict.Unknown, Detail: timeline.Error);
            var posts = timeline.Json!.Value.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
                ? data.EnumerateArray().Select(p => (Id: p.GetProperty("id").GetString()!, Text: p.GetProperty("text").GetString() ?? "")).ToList()
                : [];

            var ids = request.PostedPartIds.ToList();
            for (var index = ids.Count; index < request.Parts.Count; index++)
            {
                var match = posts.FirstOrDefault(p => p.Text == request.Parts[index]);
                if (match.Id is null)
                {
                    var found = index - request.PostedPartIds.Count;
                    return new ReconcileResult(ReconcileVerdict.Unknown, Detail: found == 0
                        ? $"Part {index + 1} is not among the account's 20 latest posts on X, which does not prove it was not posted: check the account before publishing again."
                        : $"Parts up to {index} are on X (ids {string.Join(", ", ids)}) but part {index + 1} is not among the 20 latest posts: check the account before publishing the rest.");
                }
                ids.Add(match.Id);
            }
            return new ReconcileResult(ReconcileVerdict.Published, ids[0], PostUrl(request.Connection, ids[0]), ids.Count > 1 ? "Thread ids: " + string.Join(", ", ids) : null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new ReconcileResult(ReconcileVerdict.Unknown, Detail: ChannelHttp.TryMapException(e, Kind, cancellationToken, out var failure) ? failure.Detail : $"X's answer could not be read: {e.Message}");
        }
    }

    public async Task<ConnectionCheck> TestConnectionAsync(ChannelConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
            using var message = Signed(Signer(connection), HttpMethod.Get, ChannelHttp.Combine(connection.BaseAddress, "2/users/me"));
            using var response = await http.SendAsync(message, cancellationToken);
            if (!response.IsSuccessStatusCode) return await ChannelHttp.FailedCheckAsync(response, Kind, cancellationToken);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var username = document.RootElement.GetProperty("data").GetProperty("username").GetString();
            return new ConnectionCheck(true, $"Signed in to X as @{username}.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ChannelHttp.FailedCheck(e, Kind);
        }
    }

    public static string PostUrl(ChannelConnection connection, string id) => PostAddresses.XPost(connection.Handle, id);

    /// <summary>
    /// How the account signs in: an OAuth 2.0 user token when it was connected with Connect (its credentials then hold
    /// an access token and no OAuth 1.0a keys), else the OAuth 1.0a keys typed on its settings page.
    /// </summary>
    private static XAuthorization Signer(ChannelConnection connection) =>
        connection.Credentials.ContainsKey("consumer_key") || connection.Credentials.ContainsKey("access_token_secret")
            ? new XAuthorization(new OAuth1Signer(connection.Credential("consumer_key"), connection.Credential("consumer_secret"),
                connection.Credential("access_token"), connection.Credential("access_token_secret")), null)
            : new XAuthorization(null, connection.Credential("access_token"));

    private HttpRequestMessage Signed(XAuthorization signer, HttpMethod method, Uri uri) => Signed(signer, method, uri, NonceFactory, clock);

    /// <summary>
    /// A request authorized for X: a bearer user token, or an OAuth 1.0a signature over the query (a JSON or multipart
    /// body is not signed, RFC 5849 3.4.1.3.1).
    /// </summary>
    public static HttpRequestMessage Signed(XAuthorization signer, HttpMethod method, Uri uri, Func<string> nonce, TimeProvider clock)
    {
        var message = new HttpRequestMessage(method, uri);
        message.Headers.TryAddWithoutValidation("Authorization", signer.OAuth1 is { } oauth1
            ? oauth1.AuthorizationHeader(method, uri, null, nonce(), clock.GetUtcNow().ToUnixTimeSeconds())
            : $"Bearer {signer.BearerToken}");
        return message;
    }

    private async Task<(JsonElement? Json, string? Error)> GetJsonAsync(HttpClient http, XAuthorization signer, ChannelConnection connection, string path, CancellationToken cancellationToken)
    {
        using var message = Signed(signer, HttpMethod.Get, ChannelHttp.Combine(connection.BaseAddress, path));
        using var response = await http.SendAsync(message, cancellationToken);
        if (!response.IsSuccessStatusCode)
            return (null, (await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken)).Detail);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return (document.RootElement.Clone(), null);
    }

    private static async Task<string?> PostIdAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return document.RootElement.TryGetProperty("data", out var data) && data.TryGetProperty("id", out var id) ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
