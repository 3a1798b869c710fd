using System.ComponentModel.DataAnnotations;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Templates.Markdown;
using Publisher.Templates.Model;

namespace Publisher.Web.Pages.Messages;

/// <summary>What the editor posts for a message, shared by the New and Edit pages, and how it is checked.</summary>
public sealed class MessageForm
{
    /// <summary>The renderer's own limit: a longer body could never be rendered, so it is refused with that number.</summary>
    public static readonly int MaxBodyCharacters = MessageLimits.Body;

    public string? Title { get; set; }
    public string? Body { get; set; }
    public string? Summary { get; set; }
    public string? Link { get; set; }
    public string? CallToAction { get; set; }

    /// <summary>Hashtags separated by spaces or commas; a leading # is optional.</summary>
    public string? Hashtags { get; set; }

    /// <summary>One key fact per line (a date, a price, a product name): every variant must carry each.</summary>
    public string? KeyFacts { get; set; }
    public Guid? CampaignId { get; set; }
    public bool IsSponsored { get; set; }

    /// <summary>Wall-clock time in <see cref="TimeZone"/>.</summary>
    public DateTime? PlannedLocal { get; set; }
    public string? TimeZone { get; set; }
    public List<Guid> AccountIds { get; set; } = [];

    /// <summary>The images and videos attached, in order, each with its alt text and optional focal point.</summary>
    public List<AttachmentForm> Media { get; set; } = [];

    /// <summary>The most media one message may carry.</summary>
    public const int MaxMedia = 20;

    /// <summary>The longest alt text kept (networks keep 1,000 to 5,000; each channel's own limit is checked on its variant).</summary>
    public const int MaxAltTextLength = 5000;

    /// <summary>The version (xmin) of each variant as the page showed it, by variant id, so a save never overwrites someone else's change.</summary>
    public Dictionary<Guid, uint> Versions { get; set; } = [];

    /// <summary>
    /// The author's yes to the consequences the page showed (approved variants back to review, hand edits left behind):
    /// the <see cref="MessageWriter.SaveImpact.Token"/> of that list. Empty until they were asked.
    /// </summary>
    public string? ConfirmImpact { get; set; }

    public List<string> HashtagList() =>
        (Hashtags ?? "").Split([' ', ',', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(t => t.TrimStart('#')).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    public List<string> KeyFactList() =>
        (KeyFacts ?? "").Split('\n').Select(f => f.Trim()).Where(f => f.Length > 0).Distinct().ToList();

    public static MessageForm From(Message m, IEnumerable<Variant> variants) => new()
    {
        Title = m.Title, Body = m.BodyMarkdown, Summary = m.Summary, Link = m.Link, CallToAction = m.CallToAction,
        Hashtags = string.Join(' ', m.Hashtags), KeyFacts = string.Join('\n', m.KeyFacts), CampaignId = m.CampaignId,
        IsSponsored = m.IsSponsored, TimeZone = m.TimeZone,
        PlannedLocal = m.PlannedAt is { } at && TimeZoneInfo.TryFindSystemTimeZoneById(m.TimeZone, out var zone)
            ? TimeZoneInfo.ConvertTime(at, zone).DateTime : null,
        AccountIds = variants.Where(v => v.State != VariantState.Canceled).Select(v => v.ChannelAccountId).ToList(),
        Versions = variants.ToDictionary(v => v.Id, v => v.Version),
        Media = m.Media.OrderBy(a => a.Position).Select(a => new AttachmentForm
        {
            AssetId = a.MediaAssetId, AltText = a.AltText, FocalX = a.FocalX, FocalY = a.FocalY,
            FileName = a.Asset?.FileName, Kind = a.Asset?.Kind.ToString(), Sha256 = a.Asset?.Sha256, Width = a.Asset?.Width ?? 0, Height = a.Asset?.Height ?? 0,
            PosterSha256 = a.Asset?.PosterSha256,
        }).ToList(),
    };

    /// <summary>
    /// Every problem with what was posted, each saying what to do, keyed by the form field it belongs to.
    /// <paramref name="previousPlannedAt"/> is the stored time: leaving a past time as it was is no error.
    /// </summary>
    public IEnumerable<(string Field, string Error)> Validate(DateTimeOffset now, DateTimeOffset? previousPlannedAt, out DateTimeOffset? plannedAtUtc)
    {
        var errors = new List<(string, string)>();
        plannedAtUtc = null;
        if (string.IsNullOrWhiteSpace(Title))
            errors.Add((nameof(Title), "Give the message a title: it is how you find it on the calendar and the email's subject."));
        if (string.IsNullOrWhiteSpace(Body))
            errors.Add((nameof(Body), "Write the message itself: every channel is rendered from this text."));
        var tooLong = MessageLimits.Check(new MessageLimits.Fields(Title, Body, Summary, Link, CallToAction, HashtagList(), KeyFactList()));
        errors.AddRange(tooLong.Select(e => (e.Field.ToString(), e.Error)));
        if (tooLong.All(e => e.Field != MessageLimits.Field.Body) && MarkdownConverter.CheckNesting(Body) is { } nesting)
            errors.Add((nameof(Body), nesting.Message));

        foreach (var (field, text) in new[] { (nameof(Title), Title), (nameof(Body), Body), (nameof(Summary), Summary), (nameof(CallToAction), CallToAction), (nameof(Hashtags), Hashtags), (nameof(KeyFacts), KeyFacts), (nameof(Link), Link) })
        {
            if (FirstControlCharacter(text) is { } c)
                errors.Add((field, $"The {Describe(field)} contains an invisible control character (U+{(int)c:X4}), often left by a copy and paste: retype that part or paste it as plain text."));
        }

        if (!string.IsNullOrWhiteSpace(Link) && Link.Trim().Length <= MessageLimits.Link && !WebAddress.IsWeb(Link))
            errors.Add((nameof(Link), $"The link \"{Shorten(Link.Trim())}\" is not a web address: write it in full, starting with https://, without spaces."));

        if (Media.Count > MaxMedia)
            errors.Add((nameof(Media), $"The message has {Media.Count} attachments; it may have at most {MaxMedia}: remove some."));
        foreach (var (item, index) in Media.Select((m, i) => (m, i)))
        {
            if ((item.AltText?.Length ?? 0) > MaxAltTextLength)
                errors.Add((nameof(Media), $"The alt text of attachment {index + 1} is {item.AltText!.Length:N0} characters: keep it to {MaxAltTextLength:N0} or fewer."));
            if (FirstControlCharacter(item.AltText) is { } c)
                errors.Add((nameof(Media), $"The alt text of attachment {index + 1} contains an invisible control character (U+{(int)c:X4}): retype it."));
            if (item.FocalX is { } x && (x < 0 || x > 1 || !double.IsFinite(x)) || item.FocalY is { } y && (y < 0 || y > 1 || !double.IsFinite(y)))
                errors.Add((nameof(Media), $"The focal point of attachment {index + 1} is outside the image: click on the image to set it again."));
        }
        if (Media.Select(m => m.AssetId).Distinct().Count() < Media.Count)
            errors.Add((nameof(Media), "The same file is attached twice: remove one of them."));

        if (AccountIds.Count == 0)
            errors.Add((nameof(AccountIds), "Choose at least one channel account: a message goes out through its accounts."));

        if (string.IsNullOrWhiteSpace(TimeZone) || !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var zone) || !zone.HasIanaId)
            errors.Add((nameof(TimeZone), $"\"{TimeZone}\" is not a time zone Publisher knows: pick one from the list (e.g. Europe/Paris)."));
        else if (PlannedLocal is { } local)
        {
            var wall = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
            // Checked before converting: a day like 9999-12-31 overflows on the way to UTC.
            if (PlanningWindow.Outside(DateOnly.FromDateTime(wall), now) is { } outside)
                errors.Add((nameof(PlannedLocal), outside));
            else if (zone.IsInvalidTime(wall))
                errors.Add((nameof(PlannedLocal), $"{wall:yyyy-MM-dd HH:mm} does not exist in {zone.Id} (the clocks jump forward that night): choose another time."));
            else
            {
                var at = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(wall, zone), TimeSpan.Zero);
                plannedAtUtc = at;
                if (at <= now && at != previousPlannedAt)
                    errors.Add((nameof(PlannedLocal), $"{wall:yyyy-MM-dd HH:mm} ({zone.Id}) has already passed: choose a time in the future."));
            }
        }
        return errors;
    }

    private static char? FirstControlCharacter(string? text)
    {
        if (text is null)
            return null;
        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\n' or '\r' or '\t'))
                return c;
        }
        return null;
    }

    private static string Describe(string field) => field switch
    {
        nameof(Body) => "message",
        nameof(CallToAction) => "call to action",
        nameof(KeyFacts) => "key facts",
        _ => field.ToLowerInvariant(),
    };

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}

/// <summary>One attachment as the editor posts it; the descriptive fields only redraw the editor after a failed save.</summary>
public sealed class AttachmentForm
{
    public Guid AssetId { get; set; }
    public string? AltText { get; set; }
    public double? FocalX { get; set; }
    public double? FocalY { get; set; }
    public string? FileName { get; set; }
    public string? Kind { get; set; }
    public string? Sha256 { get; set; }
    public string? PosterSha256 { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
}
