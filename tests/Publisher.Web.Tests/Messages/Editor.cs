using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Messages;

/// <summary>Helpers for driving the editor pages the way a browser posts them.</summary>
public static class Editor
{
    public static async Task SeedDefaultsAsync(PublisherWebApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await DatabaseInitializer.SeedDefaultsAsync(scope.ServiceProvider.GetRequiredService<PublisherDbContext>(), TimeProvider.System);
    }

    public static Task<Guid[]> AccountsAsync(PublisherWebApp app, params string[] kinds) => AccountsAsync(app, trackLinks: true, kinds);

    /// <summary>New accounts of these kinds; with <paramref name="trackLinks"/> off their links go out as written, not as the app's short links.</summary>
    public static async Task<Guid[]> AccountsAsync(PublisherWebApp app, bool trackLinks, params string[] kinds)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var accounts = kinds.Select(k => new ChannelAccount { Name = $"{k} {Guid.NewGuid():N}", Kind = k, Handle = "@tests", TrackLinks = trackLinks }).ToList();
        db.ChannelAccounts.AddRange(accounts);
        await db.SaveChangesAsync();
        return accounts.Select(a => a.Id).ToArray();
    }

    public static Dictionary<string, string> Fields(string title, string body, params Guid[] accounts) => new()
    {
        ["Input.Title"] = title,
        ["Input.Body"] = body,
        ["Input.Link"] = "https://northwind.example/autumn",
        ["Input.CallToAction"] = "Order now",
        ["Input.Hashtags"] = "coffee autumn",
        ["Input.TimeZone"] = "Europe/Paris",
        ["Input.PlannedLocal"] = "2031-03-10T10:00",
        ["__accounts"] = string.Join(',', accounts),
    };

    /// <summary>Posts the form to <paramref name="page"/> (optionally a handler) with the page's antiforgery token.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string page, IDictionary<string, string> fields, string? handler = null)
    {
        var token = await PublisherWebApp.AntiforgeryTokenAsync(client, page);
        var pairs = fields.Where(f => f.Key != "__accounts").ToList();
        if (fields.TryGetValue("__accounts", out var accounts))
            pairs.AddRange(accounts.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(a => KeyValuePair.Create("Input.AccountIds", a)));
        pairs.Add(KeyValuePair.Create("__RequestVerificationToken", token));
        var url = handler is null ? page : $"{page}?handler={handler}";
        return await client.PostAsync(url, new FormUrlEncodedContent(pairs));
    }

    /// <summary>The token of the "Save anyway" button a save that needs the author's yes shows (HTML-decoded page).</summary>
    public static string ConfirmationToken(string page)
    {
        var match = Regex.Match(page, "name=\"Input.ConfirmImpact\" value=\"([0-9a-f]+)\"");
        Assert.True(match.Success, "the page asks for a confirmation");
        return match.Groups[1].Value;
    }

    public static Guid SavedMessageId(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"expected a redirect after saving, got {(int)response.StatusCode}");
        var match = Regex.Match(response.Headers.Location!.OriginalString, "/Messages/Edit/([0-9a-f-]{36})");
        Assert.True(match.Success, response.Headers.Location!.OriginalString);
        return Guid.Parse(match.Groups[1].Value);
    }

    public static async Task<T> WithDbAsync<T>(PublisherWebApp app, Func<PublisherDbContext, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<PublisherDbContext>());
    }

    public static Task<Message> LoadAsync(PublisherWebApp app, Guid id) => WithDbAsync(app, db => db.Messages.AsNoTracking()
        .Include(m => m.Variants).ThenInclude(v => v.Approvals)
        .Include(m => m.Variants).ThenInclude(v => v.WarningAcceptances)
        .SingleAsync(m => m.Id == id));

    /// <summary>The fields of an Edit page as stored, plus the variant versions it shows.</summary>
    public static Dictionary<string, string> EditFields(Message m, string? body = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["Input.Title"] = m.Title,
            ["Input.Body"] = body ?? m.BodyMarkdown,
            ["Input.Link"] = m.Link ?? "",
            ["Input.CallToAction"] = m.CallToAction ?? "",
            ["Input.Hashtags"] = string.Join(' ', m.Hashtags),
            ["Input.KeyFacts"] = string.Join('\n', m.KeyFacts),
            ["Input.TimeZone"] = m.TimeZone,
            ["Input.PlannedLocal"] = TimeZoneInfo.ConvertTime(m.PlannedAt!.Value, TimeZoneInfo.FindSystemTimeZoneById(m.TimeZone)).ToString("yyyy-MM-ddTHH:mm"),
            ["__accounts"] = string.Join(',', m.Variants.Where(v => v.State != VariantState.Canceled).Select(v => v.ChannelAccountId)),
        };
        foreach (var v in m.Variants)
            fields[$"Input.Versions[{v.Id}]"] = v.Version.ToString();
        return fields;
    }
}
