using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace Publisher.Web.Security;

/// <summary>What was wrong with a request's input, for the status page to say; set by <see cref="InputGuard"/>.</summary>
/// <param name="Status">400 or 413.</param>
/// <param name="Title">The page's heading.</param>
/// <param name="Explanation">What was wrong, with the limit, and what to do.</param>
/// <param name="Kept">The form's text fields as sent (without what could not be kept), so nothing typed is lost.</param>
public sealed record RejectedInput(int Status, string Title, string Explanation, IReadOnlyList<RejectedInput.Field> Kept)
{
    public sealed record Field(string Name, string Value);
}

/// <summary>
/// A page handler that checks the text of its own form for control characters (NUL included) and shows the
/// problem beside the field, keeping the form: <see cref="InputGuard"/> lets such a form through to it.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ValidatesControlCharactersAttribute : Attribute;

/// <summary>
/// Looks at what a request brings before any page or endpoint does, so input that cannot be used gets an answer
/// that says what was wrong instead of a generic error page: a NUL character in the address or in a form field
/// (PostgreSQL cannot store one, so it used to fail the save with "Something went wrong"), a form larger than the
/// page accepts, a field longer or a form with more fields than the form limits allow, and (for <c>/api</c>)
/// a body that is not valid JSON. Pages get the status page with the reason and the form's text as it was sent;
/// <c>/api</c> gets an RFC 9457 problem document. The limits are each endpoint's own (its
/// <see cref="Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute"/> and
/// <see cref="Microsoft.AspNetCore.Mvc.RequestFormLimitsAttribute"/>), else the server's defaults.
/// It runs after authorization, so nobody's form is read before they are allowed to send it.
/// </summary>
public static class InputGuard
{
    /// <summary>Kestrel's own default, used where a server reports no limit (the test server).</summary>
    private const long ServerDefaultMaxBody = 30_000_000;

    private static readonly string[] Secret = ["password", "token", "secret", "__RequestVerificationToken"];

    public static IApplicationBuilder UseInputGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // The status page shown for a refused request runs through here again: it was looked at already.
        if (context.Features.Get<IStatusCodeReExecuteFeature>() is not null || context.Features.Get<IExceptionHandlerPathFeature>() is not null)
        {
            await next(context);
            return;
        }
        if (FindNulInAddress(context.Request) is { } where)
        {
            await RejectAsync(context, new RejectedInput(400, "The address contains a NUL character",
                $"{where} contains a NUL character (%00), which is never part of a valid address: remove it and try again.", []));
            return;
        }
        var maxBody = ApplyBodyLimit(context);
        if (context.Request.ContentLength is { } length && length > maxBody)
        {
            // Refused before a byte of it is read, with the size and the limit.
            await RejectAsync(context, TooLarge(length, maxBody));
            return;
        }
        if (context.Request.HasFormContentType && !HttpMethods.IsGet(context.Request.Method))
        {
            if (await ReadFormAsync(context, maxBody) is { } rejected)
            {
                await RejectAsync(context, rejected);
                return;
            }
        }
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (IsApi(context) && !context.Response.HasStarted)
        {
            await RejectAsync(context, DescribeBadRequest(e, context));
        }
    });

    private static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api");

    private static string? FindNulInAddress(HttpRequest request)
    {
        if ((request.Path.Value ?? "").Contains('\0'))
            return "The address";
        foreach (var (key, values) in request.Query)
        {
            if (key.Contains('\0') || values.Any(v => v?.Contains('\0') == true))
                return $"The address's parameter “{Printable(key)}”";
        }
        return null;
    }

    /// <summary>The endpoint's own body limit (applied to the server now, as the endpoint would), else the server's.</summary>
    private static long ApplyBodyLimit(HttpContext context)
    {
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is { } metadata)
        {
            if (sizeFeature is { IsReadOnly: false })
                sizeFeature.MaxRequestBodySize = metadata.MaxRequestBodySize;
            return metadata.MaxRequestBodySize ?? long.MaxValue; // null: the endpoint lifted the limit
        }
        return sizeFeature?.MaxRequestBodySize ?? ServerDefaultMaxBody;
    }

    /// <summary>Reads the form under the endpoint's limits; what was wrong when it cannot be used, else null.</summary>
    private static async Task<RejectedInput?> ReadFormAsync(HttpContext context, long maxBody)
    {
        var request = context.Request;
        var endpoint = context.GetEndpoint();
        var options = FormOptionsFor(context, endpoint);
        context.Features.Set<IFormFeature>(new FormFeature(request, options));
        // Kept, so that a form ASP.NET's reader refuses outright can still be read here and given back.
        request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: maxBody);
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(request.ContentLength, maxBody);
        }
        catch (InvalidDataException e) when (e.Message.Contains("invalid characters", StringComparison.OrdinalIgnoreCase))
        {
            // ASP.NET's form reader refuses a NUL outright. Read the form's text here instead, so it can be given back
            // and a page that checks its own fields (the message editor) can say which field holds it.
            request.Body.Position = 0;
            form = new FormCollection(await ReadTextFieldsAsync(request, context.RequestAborted));
            context.Features.Set<IFormFeature>(new FormFeature(form));
        }
        catch (InvalidDataException e)
        {
            return e.Message.Contains("value length", StringComparison.OrdinalIgnoreCase)
                ? new RejectedInput(413, "A field is too long",
                    $"One field of the form holds more than {Size(options.ValueLengthLimit)}, the most a field of this form may hold. Nothing was saved. " +
                    "Go back (the page you came from still has your text), shorten it and send it again.", [])
                : e.Message.Contains("count", StringComparison.OrdinalIgnoreCase)
                    ? new RejectedInput(400, "The form has too many fields",
                        $"The form has more than {options.ValueCountLimit:N0} fields, more than any page of Publisher sends. Nothing was saved: reload the page and try again.", [])
                    : e.Message.Contains("length", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)
                        ? TooLarge(request.ContentLength, Math.Min(maxBody, options.MultipartBodyLengthLimit))
                        : new RejectedInput(400, "The form could not be read", $"The form could not be read ({e.Message}) and nothing was saved: reload the page and try again.", []);
        }

        if (endpoint?.Metadata.GetMetadata<ValidatesControlCharactersAttribute>() is not null)
            return null;
        var withNul = form.Where(f => f.Key.Contains('\0') || f.Value.Any(v => v?.Contains('\0') == true)).Select(f => Label(f.Key))
            .Concat(form.Files.Where(f => f.FileName.Contains('\0') || f.Name.Contains('\0')).Select(f => $"the file name of “{Label(f.Name)}”"))
            .Distinct().ToList();
        if (withNul.Count == 0)
            return null;
        return new RejectedInput(400, "The form contains a NUL character",
            $"{string.Join(", ", withNul)} {(withNul.Count == 1 ? "contains" : "contain")} a NUL character: an invisible character (U+0000) that copying from a PDF or " +
            "another program sometimes brings along, and that Publisher cannot store. Nothing was saved. Your text is below without it: " +
            "copy what you need, go back, paste it over the field and send it again.",
            form.Where(f => !Secret.Any(s => f.Key.Contains(s, StringComparison.OrdinalIgnoreCase)) && f.Value.Any(v => !string.IsNullOrEmpty(v)))
                .Select(f => new RejectedInput.Field(Label(f.Key), string.Join("\n", f.Value.Select(v => v ?? "")).Replace("\0", "")))
                .ToList());
    }

    /// <summary>The text fields of a form, read without the checks of ASP.NET's reader (a multipart form's files are left out).</summary>
    private static async Task<Dictionary<string, StringValues>> ReadTextFieldsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            using var reader = new StreamReader(request.Body, leaveOpen: true);
            return QueryHelpers.ParseQuery(await reader.ReadToEndAsync(cancellationToken));
        }
        var fields = new Dictionary<string, List<string>>();
        var multipart = new MultipartReader(HeaderUtilities.RemoveQuotes(type.Boundary).ToString(), request.Body);
        while (await multipart.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || disposition.FileName.HasValue || disposition.FileNameStar.HasValue)
                continue;
            using var reader = new StreamReader(section.Body);
            var name = HeaderUtilities.RemoveQuotes(disposition.Name).ToString();
            (fields.TryGetValue(name, out var values) ? values : fields[name] = []).Add(await reader.ReadToEndAsync(cancellationToken));
        }
        return fields.ToDictionary(f => f.Key, f => new StringValues(f.Value.ToArray()));
    }

    private static FormOptions FormOptionsFor(HttpContext context, Endpoint? endpoint)
    {
        var defaults = context.RequestServices.GetRequiredService<IOptions<FormOptions>>().Value;
        var options = new FormOptions
        {
            BufferBody = defaults.BufferBody, MemoryBufferThreshold = defaults.MemoryBufferThreshold, BufferBodyLengthLimit = defaults.BufferBodyLengthLimit,
            ValueCountLimit = defaults.ValueCountLimit, KeyLengthLimit = defaults.KeyLengthLimit, ValueLengthLimit = defaults.ValueLengthLimit,
            MultipartBoundaryLengthLimit = defaults.MultipartBoundaryLengthLimit, MultipartHeadersCountLimit = defaults.MultipartHeadersCountLimit,
            MultipartHeadersLengthLimit = defaults.MultipartHeadersLengthLimit, MultipartBodyLengthLimit = defaults.MultipartBodyLengthLimit,
        };
        if (endpoint?.Metadata.GetMetadata<IFormOptionsMetadata>() is { } metadata)
        {
            options.ValueLengthLimit = metadata.ValueLengthLimit ?? options.ValueLengthLimit;
            options.ValueCountLimit = metadata.ValueCountLimit ?? options.ValueCountLimit;
            options.KeyLengthLimit = metadata.KeyLengthLimit ?? options.KeyLengthLimit;
            options.MultipartBodyLengthLimit = metadata.MultipartBodyLengthLimit ?? options.MultipartBodyLengthLimit;
            options.BufferBody = metadata.BufferBody ?? options.BufferBody;
            options.MemoryBufferThreshold = metadata.MemoryBufferThreshold ?? options.MemoryBufferThreshold;
            options.BufferBodyLengthLimit = metadata.BufferBodyLengthLimit ?? options.BufferBodyLengthLimit;
        }
        return options;
    }

    private static RejectedInput TooLarge(long? length, long max) => new(413, "What you sent is too large",
        (length is { } size ? $"What you sent is {Size(size)}; this page accepts at most {Size(max)}." : $"What you sent is larger than the {Size(max)} this page accepts.") +
        " Nothing was saved. Go back (the page you came from still has your text), shorten or split it, and send it again. " +
        "The limits are in the README: a message's body 100,000 characters, a CSV file 4 MB, a style guide 1 MB.", []);

    private static RejectedInput DescribeBadRequest(BadHttpRequestException e, HttpContext context)
    {
        if (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            var max = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? ServerDefaultMaxBody;
            return TooLarge(context.Request.ContentLength, max);
        }
        if (e.InnerException is JsonException json)
        {
            var where = json.LineNumber is { } line ? $" (line {line + 1}, byte {json.BytePositionInLine + 1})" : "";
            return new RejectedInput(400, "The body is not valid JSON",
                $"The request body could not be read as JSON{where}: {json.Message.Split(" Path:")[0].Split(" LineNumber:")[0]} Send one JSON object, as the API section of the README shows.", []);
        }
        return new RejectedInput(e.StatusCode, "The request could not be used", e.Message, []);
    }

    private static async Task RejectAsync(HttpContext context, RejectedInput rejected)
    {
        if (IsApi(context))
        {
            await Results.Problem(statusCode: rejected.Status, title: rejected.Title, detail: rejected.Explanation).ExecuteAsync(context);
            return;
        }
        // The status page (re-executed for this status, see Program.cs) says why and shows what was kept.
        context.Features.Set(rejected);
        context.Response.StatusCode = rejected.Status;
    }

    private static string Label(string key) => Printable(key.Contains('.') ? key[(key.LastIndexOf('.') + 1)..] : key);

    private static string Printable(string text) => text.Replace("\0", "");

    private static string Size(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / 1024.0 / 1024:0.#} MB" : $"{Math.Max(1, bytes / 1024):N0} KB";
}
