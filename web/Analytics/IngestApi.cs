using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;
using Publisher.Analytics.Events;
using Publisher.Core.Analytics;

namespace Publisher.Web.Analytics;

/// <summary>
/// <c>POST /api/events</c>: contacts, qualified leads and sales sent by the brand's shop or CRM, with a per-brand
/// ingest key (<c>Authorization: Bearer …</c>) instead of a sign-in. A batch is checked whole before anything is
/// stored: any bad event makes it a 400 naming every bad event and field, and nothing of it is kept. Events are
/// idempotent by the sender's id (per type): a retried batch never counts twice.
/// </summary>
public static class IngestApi
{
    public const string Path = "/api/events";

    /// <summary>What a new key starts with, so one found in a log or a repository is recognisable.</summary>
    public const string KeyPrefix = "pub_";

    public static IEndpointRouteBuilder MapIngestApi(this IEndpointRouteBuilder app)
    {
        var max = app.ServiceProvider.GetRequiredService<IOptions<AnalyticsOptions>>().Value.MaxIngestBytes;
        app.MapPost(Path, IngestAsync).AllowAnonymous().DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(max));
        return app;
    }

    /// <summary>A new random key (256 bits) and the SHA-256 that is stored of it.</summary>
    public static (string Key, string Hash) NewKey()
    {
        var key = KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (key, HashOf(key));
    }

    public static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static async Task<IResult> IngestAsync(HttpContext http, AnalyticsDatabase database, IOptions<AnalyticsOptions> options, TimeProvider clock, ILoggerFactory logs)
    {
        var authorization = http.Request.Headers.Authorization.ToString();
        var key = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : "";
        await using var connection = await database.Source.OpenConnectionAsync(http.RequestAborted);
        if (key.Length == 0 || await KeyIdAsync(connection, HashOf(key), http.RequestAborted) is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"publisher-events\"";
            return Results.Problem(statusCode: 401, title: "Unknown or revoked ingest key",
                detail: "Send a current ingest key as 'Authorization: Bearer <key>'. An admin creates one under Analytics → Settings; a revoked key stops working at once.");
        }

        if (http.Request.ContentLength > options.Value.MaxIngestBytes)
            return TooLarge(options.Value.MaxIngestBytes);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, default, http.RequestAborted);
        }
        catch (JsonException e)
        {
            return Results.Problem(statusCode: 400, title: "The body is not JSON",
                detail: $"Send a JSON object with an \"events\" array ({e.Message}). Nothing was stored.");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(options.Value.MaxIngestBytes);
        }

        using (document)
        {
            var now = clock.GetUtcNow();
            var (events, problems) = EventBatchReader.Read(document.RootElement, now, now.AddMonths(-options.Value.RetentionMonths));
            if (problems.Count > 0)
            {
                var bad = problems.Where(p => p.Index is not null).Select(p => p.Index).Distinct().Count();
                return Results.Problem(statusCode: 400, title: "Some events are not valid",
                    detail: $"{problems.Count} problem{(problems.Count == 1 ? "" : "s")}{(bad > 0 ? $" in {bad} event{(bad == 1 ? "" : "s")}" : "")}; nothing of this batch was stored. Fix them and send the whole batch again.",
                    extensions: new Dictionary<string, object?>
                    {
                        ["errors"] = problems.Select(p => new { index = p.Index, id = p.EventId, field = p.Field, message = p.Message }).ToList(),
                    });
            }
            var stored = await ConversionStore.InsertAsync(connection, events, "api", http.RequestAborted);
            logs.CreateLogger(typeof(IngestApi)).LogDebug("Ingested {Stored} of {Count} events.", stored, events.Count);
            return Results.Ok(new { received = events.Count, stored, duplicates = events.Count - stored });
        }
    }

    private static IResult TooLarge(int max) => Results.Problem(statusCode: 413, title: "Batch too large",
        detail: $"A batch may be at most {max:N0} bytes and {EventBatchReader.MaxEvents:N0} events: split it. Nothing was stored.");

    /// <summary>
    /// The id of the current key with <paramref name="hash"/>, noting that it was used (once a minute at most: a busy
    /// shop must not write the key's row on every batch); one round trip per batch.
    /// </summary>
    private static async Task<Guid?> KeyIdAsync(NpgsqlConnection connection, string hash, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            WITH k AS (SELECT "Id", "LastUsedAt" FROM "IngestKeys" WHERE "KeyHash" = @hash AND "RevokedAt" IS NULL),
            touched AS (
                UPDATE "IngestKeys" i SET "LastUsedAt" = now() FROM k
                WHERE i."Id" = k."Id" AND (k."LastUsedAt" IS NULL OR k."LastUsedAt" < now() - interval '1 minute'))
            SELECT "Id" FROM k
            """, connection);
        command.Parameters.AddWithValue("hash", hash);
        return await command.ExecuteScalarAsync(cancellationToken) is Guid id ? id : null;
    }
}
