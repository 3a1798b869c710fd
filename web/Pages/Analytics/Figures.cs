using System.Globalization;
using System.Text;
using CsvHelper;
using Microsoft.AspNetCore.Mvc;
using Publisher.Analytics.Attribution;
using Publisher.Analytics.Events;
using Publisher.Core.Analytics;

namespace Publisher.Web.Pages.Analytics;

/// <summary>How the analytics pages write figures, and their CSV files.</summary>
public static class FigureText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A credited count: whole under first and last touch; with one decimal when a model shares credit.</summary>
    public static string Count(double value) =>
        Math.Abs(value - Math.Round(value)) < 0.05 ? Math.Round(value).ToString("N0", Invariant) : value.ToString("N1", Invariant);

    public static string Count(long value) => value.ToString("N0", Invariant);

    /// <summary>Revenue per currency, "1,234.50 EUR", several joined with " + "; "–" when none.</summary>
    public static string Money(IReadOnlyDictionary<string, decimal> revenue)
    {
        var parts = revenue.Where(r => r.Value != 0).OrderByDescending(r => r.Value)
            .Select(r => r.Value.ToString("N2", Invariant) + (r.Key.Length > 0 ? " " + r.Key : "")).ToList();
        return parts.Count == 0 ? "–" : string.Join(" + ", parts);
    }

    /// <summary>A CSV cell of revenue: "1234.50 EUR; 20.00 USD".</summary>
    public static string MoneyCell(IReadOnlyDictionary<string, decimal> revenue) =>
        string.Join("; ", revenue.Where(r => r.Value != 0).Select(r => r.Value.ToString("0.00", Invariant) + (r.Key.Length > 0 ? " " + r.Key : "")));

    public static string Number(double value) => value.ToString("0.####", Invariant);

    public static string ShortName(AttributionModel model) => model switch
    {
        AttributionModel.FirstTouch => "first_touch",
        AttributionModel.LastTouch => "last_touch",
        AttributionModel.Linear => "linear",
        _ => "position_based",
    };

    public static readonly ConversionKind[] Kinds = [ConversionKind.Session, ConversionKind.Contact, ConversionKind.Qualified, ConversionKind.Sale];

    public static string Plural(ConversionKind kind) => kind switch
    {
        ConversionKind.Session => "Sessions",
        ConversionKind.Contact => "Contacts",
        ConversionKind.Qualified => "Qualified",
        _ => "Sales",
    };

    /// <summary>The figures of one row for a CSV file: clicks, previews, visitors, then each model's four counts and revenue.</summary>
    public static IEnumerable<string> CsvFigures(CreditedFigures figures, IEnumerable<AttributionModel> models)
    {
        yield return figures.Clicks.ToString(Invariant);
        yield return figures.Previews.ToString(Invariant);
        yield return figures.Visitors.ToString(Invariant);
        foreach (var model in models)
        {
            var f = figures[model];
            foreach (var kind in Kinds)
                yield return Number(f.Count(kind));
            yield return MoneyCell(f.Revenue);
        }
    }

    public static IEnumerable<string> CsvFigureHeader(IEnumerable<AttributionModel> models) =>
        new[] { "clicks", "previews", "visitors" }.Concat(models.SelectMany(m =>
            Kinds.Select(k => $"{Plural(k).ToLowerInvariant()}_{ShortName(m)}").Append($"revenue_{ShortName(m)}")));

    /// <summary>A CSV download (UTF-8 with a byte-order mark, so spreadsheets read accents; cells that would run as formulas escaped).</summary>
    public static FileContentResult Csv(string fileName, IEnumerable<string> header, IEnumerable<IEnumerable<string>> rows)
    {
        using var text = new StringWriter(Invariant);
        using (var csv = CsvWriter.Create(text, CsvWriterOptions.Default with { Injection = CsvInjection.Escape, NewLine = "\r\n" }, leaveOpen: true))
        {
            csv.WriteHeader(header.ToArray());
            foreach (var row in rows)
                csv.WriteRecord(row.ToArray());
        }
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).GetPreamble().Concat(Encoding.UTF8.GetBytes(text.ToString())).ToArray();
        return new FileContentResult(bytes, "text/csv; charset=utf-8") { FileDownloadName = fileName };
    }
}
