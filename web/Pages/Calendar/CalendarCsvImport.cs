using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.Templates.Model;
using Publisher.Web.Pages.Messages;
using Publisher.Web.Pages.Shared;

namespace Publisher.Web.Pages.Calendar;

/// <summary>
/// Imports planned messages from CSV. Every row is checked first, with the editor's own rules; if any row is
/// refused nothing is imported and the report names each refused row and why. Otherwise every message and its
/// draft variants (rendered and checked like the editor's) are saved in one transaction.
/// </summary>
public sealed class CalendarCsvImport(PublisherDbContext db, VariantComposer composer, VariantWorkflow workflow, Publisher.Core.Media.LinkCardSnapshots linkCards, TimeProvider clock)
{
    public const int MaxRows = 1000;

    /// <summary>The columns, as the README documents them; the first four are required.</summary>
    public static readonly IReadOnlyList<string> Columns = ["title", "body", "accounts", "planned_local", "time_zone", "link", "campaign", "hashtags", "summary"];
    private static readonly string[] Required = ["title", "body", "accounts", "planned_local"];

    public sealed record RowError(int Row, IReadOnlyList<string> Reasons);

    public sealed record Report(int Imported, int Variants, IReadOnlyList<RowError> Refused)
    {
        public bool Succeeded => Refused.Count == 0;
    }

    private sealed record Planned(int Row, MessageForm Form, DateTimeOffset PlannedAt, List<ChannelAccount> Accounts, Campaign? Campaign);

    public async Task<Report> ImportAsync(Stream csv, string defaultZone, Actor actor, CancellationToken cancellationToken = default)
    {
        // Refused before any row is read when it is not UTF-8, with the line where it stops being so.
        var bytes = new MemoryStream();
        await csv.CopyToAsync(bytes, cancellationToken);
        var (_, badLine, notUtf8) = StrictUtf8.Decode(bytes.GetBuffer().AsSpan(0, (int)bytes.Length), "CSV file",
            "save it as \"CSV UTF-8\" (Excel's plain \"CSV\" format is not UTF-8)");
        if (notUtf8 is not null)
            return new Report(0, 0, [new RowError(badLine, [notUtf8])]);
        bytes.Position = 0;
        csv = bytes;

        var accounts = await db.ChannelAccounts.ToListAsync(cancellationToken);
        var byName = accounts.GroupBy(a => a.Name.Trim(), StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var campaigns = await db.Campaigns.ToListAsync(cancellationToken);
        var campaignByName = campaigns.GroupBy(c => c.Name.Trim(), StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var now = clock.GetUtcNow();

        var refused = new List<RowError>();
        var planned = new List<Planned>();
        var options = CsvReaderOptions.Default with
        {
            HasHeader = true,
            NormalizeHeaderName = Normalize,
            TrackLineNumbers = true,
            AllowLineBreaksInQuotes = true,
            MalformedData = CsvMalformedDataHandling.Throw,
        };
        try
        {
            await using var parser = CsvReader.Create(csv, options, leaveOpen: true);
            var first = true;
            while (await parser.ReadAsync(cancellationToken))
            {
                var line = (int)parser.LineNumber;
                if (first)
                {
                    first = false;
                    var header = parser.Headers.Select(Normalize).ToList();
                    var missing = Required.Where(r => !header.Contains(r)).ToList();
                    if (missing.Count > 0)
                        return new Report(0, 0, [new RowError(1, [$"The header row lacks the column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)}: the columns are {string.Join(", ", Columns)}."])]);
                }
                if (planned.Count + refused.Count >= MaxRows)
                    return new Report(0, 0, [new RowError(line, [$"The file has more than {MaxRows:N0} rows: split it into smaller files."])]);
                string? Field(string name) => parser.TryGetFieldIndex(name, out var i) && i < parser.FieldCount ? Blank(parser.GetStringOrNull(i)) : null;
                var reasons = new List<string>();
                var form = new MessageForm
                {
                    Title = Field("title"), Body = Field("body"), Link = Field("link"), Summary = Field("summary"), Hashtags = Field("hashtags"),
                    TimeZone = Field("time_zone") ?? defaultZone,
                };

                foreach (var name in (Field("accounts") ?? "").Split([';', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!byName.TryGetValue(name, out var account))
                        reasons.Add($"There is no channel account called \"{name}\": use the names shown under Channels ({string.Join("; ", byName.Keys.Order())}).");
                    else if (!account.IsEnabled)
                        reasons.Add($"{account.Name} is switched off: choose another account or ask an admin to switch it on.");
                    else if (!form.AccountIds.Contains(account.Id))
                        form.AccountIds.Add(account.Id);
                }
                Campaign? campaign = null;
                if (Field("campaign") is { } campaignName && !campaignByName.TryGetValue(campaignName, out campaign))
                    reasons.Add($"There is no campaign called \"{campaignName}\": create it under Campaigns first, or leave the column empty.");
                form.CampaignId = campaign?.Id;

                var plannedText = Field("planned_local");
                if (plannedText is null)
                    reasons.Add("planned_local is empty: write the local date and time, like 2026-03-30 09:00.");
                else if (DateTime.TryParseExact(plannedText, ["yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm", "yyyy-MM-dd H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
                    form.PlannedLocal = local;
                else
                    reasons.Add($"\"{plannedText}\" in planned_local is not a date and time: write it like 2026-03-30 09:00 (24-hour clock).");

                // The editor's own checks: title, body, link, zone, a time that exists and is ahead. An account that
                // was named but not found is already reported, so "choose an account" would only repeat it.
                var problems = form.Validate(now, null, out var plannedAt);
                foreach (var (field, error) in problems)
                {
                    if (field != nameof(MessageForm.AccountIds) || reasons.Count == 0)
                        reasons.Add(error);
                }
                if (reasons.Count > 0 || plannedAt is null)
                    refused.Add(new RowError(line, reasons));
                else
                    planned.Add(new Planned(line, form, plannedAt.Value, form.AccountIds.Select(id => accounts.Single(a => a.Id == id)).ToList(), campaign));
            }
            if (first)
                return new Report(0, 0, [new RowError(1, ["The file is empty or has only a header: the first row names the columns (" + string.Join(", ", Columns) + "), then one message per row."])]);
        }
        catch (CsvFormatException e)
        {
            refused.Add(new RowError((int)e.LineNumber, [$"The file cannot be read as CSV from here on ({e.Message}): check the quotes and separators."]));
        }

        if (refused.Count > 0)
            return new Report(0, 0, refused);

        var context = await composer.LoadContextAsync(cancellationToken);
        var variants = 0;
        foreach (var p in planned)
        {
            var message = new Message
            {
                Title = p.Form.Title!.Trim(), BodyMarkdown = p.Form.Body!, Summary = p.Form.Summary, Link = p.Form.Link?.Trim(),
                Hashtags = p.Form.HashtagList(), CampaignId = p.Campaign?.Id, AuthorId = actor.UserId!, TimeZone = p.Form.TimeZone!,
                PlannedAt = p.PlannedAt, CreatedAt = now, UpdatedAt = now,
            };
            db.Messages.Add(message);
            var campaignInput = p.Campaign is null ? null : new CampaignInput(p.Campaign.Name, p.Campaign.UtmCampaign);
            foreach (var account in p.Accounts)
            {
                var variant = new Variant
                {
                    MessageId = message.Id, ChannelAccountId = account.Id, State = VariantState.Draft, ScheduledAt = p.PlannedAt,
                    UpdatedAt = now, LastEditedById = actor.UserId,
                };
                var rendered = composer.Render(context, variant.Id, message, account, campaignInput, actor.Name, cancellationToken);
                // The link card goes out as read now (reads are cached per page, so rows sharing a link read it once).
                await linkCards.UpdateAsync(variant, message, account.Kind, composer.MediaRulesFor(account), rendered.Link, reread: true, fresh: false, cancellationToken);
                composer.Apply(context, variant, message, account, rendered, []);
                db.Variants.Add(variant);
                variants++;
            }
            workflow.Record(nameof(Message), message.Id.ToString(), "imported", actor, $"from CSV row {p.Row}");
        }

        // One transaction: every message, variant and audit event of the file, or none.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new Report(planned.Count, variants, []);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static string Normalize(string header) => header.Trim().TrimStart('\uFEFF').ToLowerInvariant().Replace(' ', '_');

}
