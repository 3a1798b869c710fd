using System.Globalization;
using System.Text;
using CsvHelper;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;

namespace Publisher.Web.Pages.Calendar;

/// <summary>The calendar's visible range as CSV: one row per variant, times in the user's zone and in UTC.</summary>
public static class CalendarCsvExport
{
    public static readonly string[] Header =
        ["planned_local", "time_zone", "utc", "title", "account", "channel", "state", "held", "message_changed_since_edit", "campaign", "author", "first_words",
         "post_url", "post_ids", "variant_id", "message_id"];

    /// <param name="accounts">The channel accounts by id: each posted part's address is built from its account.</param>
    public static byte[] Write(IEnumerable<IndexModel.Entry> entries, TimeZoneInfo zone, IReadOnlyDictionary<string, string> people, IReadOnlyDictionary<Guid, ChannelAccount> accounts)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        // Spreadsheets run a cell starting with = + - @ as a formula: such cells are escaped.
        using (var csv = CsvWriter.Create(text, CsvWriterOptions.Default with { Injection = CsvInjection.Escape, NewLine = "\r\n" }, leaveOpen: true))
        {
            csv.WriteHeader(Header);
            foreach (var e in entries.OrderBy(e => e.Data.At))
            {
                var d = e.Data;
                var parts = accounts.TryGetValue(d.AccountId, out var account)
                    ? PostAddresses.PartsOf(account, d.ExternalPartIds ?? [], d.ExternalId, d.ExternalUrl)
                    : [];
                csv.WriteRecord([
                    e.Local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), zone.Id, d.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                    d.Title, d.Account, d.Kind, d.Badge, d.HeldReason ?? "", d.EditOutdated ? "yes" : "", d.Campaign ?? "", people.GetValueOrDefault(d.AuthorId, ""), d.Preview,
                    // Every part's address and identifiers, in order, separated by spaces (a Bluesky part as at-uri|cid).
                    string.Join(' ', parts.Select(p => p.Url ?? "")).Trim(),
                    string.Join(' ', parts.Select(p => p.Cid is null ? p.Id : $"{p.Id}|{p.Cid}")),
                    d.VariantId.ToString(), d.MessageId.ToString(),
                ]);
            }
        }
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).GetPreamble().Concat(Encoding.UTF8.GetBytes(text.ToString())).ToArray();
    }
}
