using System.Globalization;
using System.Text;
using CsvHelper;

namespace Publisher.Web.Pages.Calendar;

/// <summary>The calendar's visible range as CSV: one row per variant, times in the user's zone and in UTC.</summary>
public static class CalendarCsvExport
{
    public static readonly string[] Header =
        ["planned_local", "time_zone", "utc", "title", "account", "channel", "state", "campaign", "author", "first_words", "variant_id", "message_id"];

    public static byte[] Write(IEnumerable<IndexModel.Entry> entries, TimeZoneInfo zone, IReadOnlyDictionary<string, string> people)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        // Spreadsheets run a cell starting with = + - @ as a formula: such cells are escaped.
        using (var csv = CsvWriter.Create(text, CsvWriterOptions.Default with { Injection = CsvInjection.Escape, NewLine = "\r\n" }, leaveOpen: true))
        {
            csv.WriteHeader(Header);
            foreach (var e in entries.OrderBy(e => e.Data.At))
            {
                var d = e.Data;
                csv.WriteRecord([
                    e.Local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), zone.Id, d.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                    d.Title, d.Account, d.Kind, d.Badge, d.Campaign ?? "", people.GetValueOrDefault(d.AuthorId, ""), d.Preview, d.VariantId.ToString(), d.MessageId.ToString(),
                ]);
            }
        }
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).GetPreamble().Concat(Encoding.UTF8.GetBytes(text.ToString())).ToArray();
    }
}
