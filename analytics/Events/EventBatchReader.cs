using System.Globalization;
using System.Text.Json;
using Publisher.Analytics.Links;

namespace Publisher.Analytics.Events;

/// <summary>
/// Reads and checks a batch sent to <c>POST /api/events</c>:
/// <c>{"events":[{"id","type","time","value","currency","clickId","visitorId","emailSha256"}]}</c>.
/// Every problem of every event is reported, each naming the event and the field, so a sender fixes a batch in
/// one go; a batch with any problem is refused whole.
/// </summary>
public static class EventBatchReader
{
    /// <summary>Most events in one batch.</summary>
    public const int MaxEvents = 1000;

    /// <summary>Longest event id, visitor id, in characters.</summary>
    public const int MaxIdLength = 200;

    /// <summary>Largest value accepted (values are kept with four decimals).</summary>
    public const decimal MaxValue = 1_000_000_000_000m;

    /// <summary>How far ahead of the server's clock an event's time may be (clocks differ; more is a mistake).</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromDays(1);

    private static readonly string[] Fields = ["id", "type", "time", "value", "currency", "clickId", "visitorId", "emailSha256"];

    /// <summary>Reads the batch in <paramref name="root"/>; events with no time happened at <paramref name="now"/>.</summary>
    /// <param name="root">The parsed request body.</param>
    /// <param name="now">The server's clock.</param>
    /// <param name="oldest">Events before this are refused: they would be purged by the retention setting at once.</param>
    public static (IReadOnlyList<ReportedConversion> Events, IReadOnlyList<EventProblem> Problems) Read(JsonElement root, DateTimeOffset now, DateTimeOffset oldest)
    {
        var problems = new List<EventProblem>();
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
            return ([], [new EventProblem(null, null, "events", "Send a JSON object with an \"events\" array: {\"events\": [{\"id\": \"order-1001\", \"type\": \"sale\", \"value\": 42.50, \"currency\": \"EUR\", \"clickId\": \"…\"}]}.")]);
        var count = events.GetArrayLength();
        if (count == 0)
            return ([], [new EventProblem(null, null, "events", "The \"events\" array is empty: send at least one event.")]);
        if (count > MaxEvents)
            return ([], [new EventProblem(null, null, "events", $"The batch holds {count:N0} events; the most one request may carry is {MaxEvents:N0}: split it.")]);
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name != "events")
                problems.Add(new EventProblem(null, null, property.Name, $"\"{property.Name}\" is not a field of a batch: send only \"events\"."));
        }

        var read = new List<ReportedConversion>(count);
        var index = 0;
        foreach (var element in events.EnumerateArray())
        {
            var before = problems.Count;
            var item = ReadOne(element, index, now, oldest, problems);
            if (item is not null && problems.Count == before)
                read.Add(item);
            index++;
        }
        return problems.Count == 0 ? (read, problems) : ([], problems);
    }

    private static ReportedConversion? ReadOne(JsonElement element, int index, DateTimeOffset now, DateTimeOffset oldest, List<EventProblem> problems)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new EventProblem(index, null, "event", "Each event must be a JSON object."));
            return null;
        }
        string? id = null;
        if (element.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String)
            id = idElement.GetString();
        void Problem(string field, string message) => problems.Add(new EventProblem(index, id, field, message));

        foreach (var property in element.EnumerateObject())
        {
            if (Array.IndexOf(Fields, property.Name) < 0)
                Problem(property.Name, $"\"{property.Name}\" is not a field of an event: use {string.Join(", ", Fields)} (names are case-sensitive).");
        }

        if (id is null)
            Problem("id", "Give every event an \"id\" (a string, such as your order or lead number): a retried event with the same id counts once.");
        else if (id.Length == 0 || id.Length > MaxIdLength || id.Any(char.IsControl))
            Problem("id", $"The id must be 1 to {MaxIdLength} characters without control characters.");

        var kind = ConversionKind.Session;
        if (!element.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String
            || !ConversionKinds.TryParseReportable(typeElement.GetString(), out kind))
        {
            var given = typeElement.ValueKind == JsonValueKind.String ? $"\"{Shorten(typeElement.GetString())}\"" : "missing";
            Problem("type", $"The type is {given}: it must be \"contact\", \"qualified\" or \"sale\".");
        }

        var at = now;
        if (element.TryGetProperty("time", out var timeElement) && timeElement.ValueKind != JsonValueKind.Null)
        {
            if (timeElement.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(timeElement.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at)
                || !(timeElement.GetString() ?? "").Contains('T'))
                Problem("time", "The time must be an ISO 8601 date and time with its offset, such as \"2026-11-20T09:30:00Z\".");
            else if (at > now + FutureTolerance)
                Problem("time", $"The time {at:yyyy-MM-dd'T'HH:mm:ss'Z'} is more than a day ahead of the server's clock ({now:yyyy-MM-dd'T'HH:mm'Z'}): send when it happened, in UTC or with its offset.");
            else if (at < oldest)
                Problem("time", $"The time {at:yyyy-MM-dd} is older than the retention period (events before {oldest:yyyy-MM-dd} are deleted): it would not be kept.");
        }

        var value = 0m;
        var hasValue = false;
        if (element.TryGetProperty("value", out var valueElement) && valueElement.ValueKind != JsonValueKind.Null)
        {
            if (valueElement.ValueKind != JsonValueKind.Number || !valueElement.TryGetDecimal(out value))
                Problem("value", "The value must be a number, such as 42.50 (not a string).");
            else if (value < 0)
                Problem("value", $"The value {value.ToString(CultureInfo.InvariantCulture)} is negative: send the amount as a positive number (refunds are not counted here).");
            else if (value > MaxValue)
                Problem("value", $"The value {value.ToString(CultureInfo.InvariantCulture)} is larger than {MaxValue.ToString("N0", CultureInfo.InvariantCulture)}.");
            else
                hasValue = true;
        }

        string? currency = null;
        if (element.TryGetProperty("currency", out var currencyElement) && currencyElement.ValueKind != JsonValueKind.Null)
        {
            currency = currencyElement.ValueKind == JsonValueKind.String ? currencyElement.GetString() : null;
            if (!Currencies.IsKnown(currency))
            {
                Problem("currency", $"The currency {(currency is null ? "is not a string" : $"\"{Shorten(currency)}\" is not an ISO 4217 code")}: use three capital letters, such as EUR or USD.");
                currency = null;
            }
        }
        if (hasValue && value > 0 && currency is null && !problems.Any(p => p.Index == index && p.Field == "currency"))
            Problem("currency", "A value needs its currency: add \"currency\", such as \"EUR\".");

        Guid? clickId = null;
        if (element.TryGetProperty("clickId", out var clickElement) && clickElement.ValueKind != JsonValueKind.Null)
        {
            if (clickElement.ValueKind == JsonValueKind.String && ClickIds.TryParse(clickElement.GetString(), out var parsed))
                clickId = parsed;
            else
                Problem("clickId", "The clickId must be the pcid parameter the visitor arrived with, exactly as received (22 characters).");
        }

        string? visitorId = null;
        if (element.TryGetProperty("visitorId", out var visitorElement) && visitorElement.ValueKind != JsonValueKind.Null)
        {
            visitorId = visitorElement.ValueKind == JsonValueKind.String ? visitorElement.GetString() : null;
            if (!IsVisitorId(visitorId))
            {
                Problem("visitorId", "The visitorId must be the id /t.js gives the visitor (publisher.visitorId()): letters, digits, - and _, up to 64.");
                visitorId = null;
            }
        }

        string? email = null;
        if (element.TryGetProperty("emailSha256", out var emailElement) && emailElement.ValueKind != JsonValueKind.Null)
        {
            email = emailElement.ValueKind == JsonValueKind.String ? emailElement.GetString()?.ToLowerInvariant() : null;
            if (email is not { Length: 64 } || !email.All(char.IsAsciiHexDigit))
            {
                Problem("emailSha256", "The emailSha256 must be the SHA-256 of the address, trimmed and in lower case, as 64 hex digits; never send the address itself.");
                email = null;
            }
        }

        return id is null ? null : new ReportedConversion(id, kind, at, hasValue ? decimal.Round(value, 4) : 0m, hasValue && value > 0 ? currency : currency, clickId, visitorId, email);
    }

    /// <summary>Whether <paramref name="id"/> has the shape of a visitor id: 1 to 64 letters, digits, - or _.</summary>
    public static bool IsVisitorId(string? id) =>
        id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 40 ? text : text[..37] + "...";
}
