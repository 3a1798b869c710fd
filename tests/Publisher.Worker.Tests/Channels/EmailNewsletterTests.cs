using System.Text;
using MimeKit;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Email;

namespace Publisher.Worker.Tests.Channels;

public sealed class EmailNewsletterTests : IAsyncLifetime
{
    private readonly LoopbackSmtpServer _smtp = new() { RequiredCredentials = ("newsletter", "s3cret") };
    private readonly EmailNewsletterClient _client = ChannelKit.Client<EmailNewsletterClient>();

    private ChannelConnection Connection(string password = "s3cret", string? unsubscribeUrl = "https://example.com/unsubscribe", string? unsubscribeMailto = "unsubscribe@example.com", int? port = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["smtp_host"] = "127.0.0.1",
            ["smtp_port"] = (port ?? _smtp.Port).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["smtp_security"] = "None",
            ["from"] = "Acme News <news@acme.example>",
            ["recipients"] = "ada@example.com, grace@example.com\nlinus@example.com",
        };
        if (unsubscribeUrl is not null) settings["unsubscribe_url"] = unsubscribeUrl;
        if (unsubscribeMailto is not null) settings["unsubscribe_mailto"] = unsubscribeMailto;
        return ChannelKit.Connection(ChannelKind.Email, new Uri("smtp://ignored"), new Dictionary<string, string> { ["smtp_username"] = "newsletter", ["smtp_password"] = password }, settings);
    }

    private static PublishRequest Newsletter(ChannelConnection connection, string key = "newsletter-1") => ChannelKit.Request(
        connection,
        "Autumn sale: 20% off everything.\n\nhttps://example.com/sale",
        key: key,
        subject: "Our autumn sale starts today",
        html: "<html><body><div style=\"display:none\">20% off everything</div><p>Autumn sale: 20% off everything.</p></body></html>");

    [Fact]
    public async Task One_message_goes_to_every_recipient_in_one_transaction_with_text_and_HTML()
    {
        var result = await _client.PublishAsync(Newsletter(Connection()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var mail = Assert.Single(_smtp.Received);
        Assert.Equal("news@acme.example", mail.From);
        Assert.Equal(["ada@example.com", "grace@example.com", "linus@example.com"], mail.To);
        var message = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(mail.Data)));
        Assert.Equal("Our autumn sale starts today", message.Subject);
        Assert.Contains("Autumn sale: 20% off everything.", message.TextBody);
        Assert.Contains("<div style=\"display:none\">20% off everything</div>", message.HtmlBody);
        Assert.Equal("multipart/alternative", message.Body!.ContentType.MimeType);
        Assert.DoesNotContain("ada@example.com", mail.Data);
    }

    [Fact]
    public async Task A_rendered_newsletter_with_an_image_arrives_over_SMTP_with_the_hosted_image_its_alt_text_width_and_height()
    {
        const string sha256 = "aaaa000000000000000000000000000000000000000000000000000000000001";
        var url = $"https://publisher.example/media/{sha256}/roastery.jpg";
        const string alt = "The roaster at work, with \"sacks\" & beans 🍂";
        var renderer = new Publisher.Templates.Rendering.VariantRenderer(new Publisher.Templates.Rendering.TemplateCache(), new Publisher.Templates.Rendering.LayoutRenderer(),
            Publisher.Templates.Rendering.RenderLimits.Default, TimeProvider.System);
        var email = renderer.Render(
            new Publisher.Templates.Model.MessageInput { Title = "The new roastery is open", BodyMarkdown = "Come and see where your coffee is roasted.", Link = "https://northwind.example/roastery" },
            new Publisher.Templates.Model.BrandInput { Name = "Northwind", MediaBaseUrl = "https://publisher.example/media/" }, null,
            Publisher.Templates.Model.ChannelSettings.For(ChannelKind.Email) with
            {
                Media = [new Publisher.Templates.Model.MediaInput { Kind = "image", Url = url, Alt = alt, Width = 1200, Height = 800, ContentType = "image/jpeg", Sha256 = sha256, Bytes = 180_000 }],
            });
        Assert.True(email.Success, string.Join("; ", email.Diagnostics));

        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), email.Text, subject: email.Subject, html: email.Html), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        // Read as a mail program reads it: the MIME message from the SMTP transaction, its HTML part parsed.
        var message = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(Assert.Single(_smtp.Received).Data)));
        var html = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(message.HtmlBody ?? "");
        var image = Assert.Single(html.QuerySelectorAll("img"));
        Assert.Equal(url, image.GetAttribute("src"));
        Assert.Equal(alt, image.GetAttribute("alt"));
        var width = int.Parse(image.GetAttribute("width")!, System.Globalization.CultureInfo.InvariantCulture);
        var height = int.Parse(image.GetAttribute("height")!, System.Globalization.CultureInfo.InvariantCulture);
        // Sized for the email's column (at most 600 pixels, the width mail programs lay out), keeping the image's shape.
        Assert.InRange(width, 1, 600);
        Assert.InRange(Math.Abs(width * 800 - height * 1200), 0, 1200);
    }

    [Fact]
    public async Task The_headers_carry_one_click_unsubscribe_and_a_message_id_derived_from_the_key()
    {
        var result = await _client.PublishAsync(Newsletter(Connection(), key: "newsletter-7"), new RecordingProgress(), CancellationToken.None);

        var message = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(Assert.Single(_smtp.Received).Data)));
        Assert.Equal("<https://example.com/unsubscribe>, <mailto:unsubscribe@example.com>", message.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.Equal(result.ExternalId, message.MessageId);
        Assert.EndsWith("@acme.example", message.MessageId);
        Assert.Equal(EmailNewsletterClient.MessageId(Newsletter(Connection(), key: "newsletter-7")), message.MessageId);
        Assert.NotEqual(message.MessageId, EmailNewsletterClient.MessageId(Newsletter(Connection(), key: "newsletter-8")));
    }

    [Fact]
    public async Task With_only_a_mailto_there_is_no_one_click_header()
    {
        await _client.PublishAsync(Newsletter(Connection(unsubscribeUrl: null)), new RecordingProgress(), CancellationToken.None);

        var message = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(Assert.Single(_smtp.Received).Data)));
        Assert.Equal("<mailto:unsubscribe@example.com>", message.Headers["List-Unsubscribe"]);
        Assert.Null(message.Headers["List-Unsubscribe-Post"]);
    }

    [Fact]
    public async Task Without_any_unsubscribe_setting_nothing_is_sent()
    {
        var result = await _client.PublishAsync(Newsletter(Connection(unsubscribeUrl: null, unsubscribeMailto: null)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("unsubscribe_url", result.Detail);
        Assert.Empty(_smtp.Received);
    }

    [Fact]
    public async Task A_refused_recipient_does_not_stop_the_others()
    {
        _smtp.RefusedRecipients.Add("grace@example.com");

        var result = await _client.PublishAsync(Newsletter(Connection()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Equal(["ada@example.com", "linus@example.com"], Assert.Single(_smtp.Received).To);
        Assert.Contains("grace@example.com", result.Detail);
    }

    [Fact]
    public async Task When_every_recipient_is_refused_nothing_is_published()
    {
        _smtp.RefusedRecipients.UnionWith(["ada@example.com", "grace@example.com", "linus@example.com"]);

        var result = await _client.PublishAsync(Newsletter(Connection()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("refused", result.Detail);
        Assert.Empty(_smtp.Received);
    }

    [Fact]
    public async Task A_wrong_password_is_permanent()
    {
        var result = await _client.PublishAsync(Newsletter(Connection(password: "wrong")), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("smtp_password", result.Detail);
        Assert.Empty(_smtp.Received);
    }

    [Fact]
    public async Task A_mail_server_that_is_down_is_transient()
    {
        var result = await _client.PublishAsync(Newsletter(Connection(port: ChannelKit.ClosedPort().Port)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
    }

    [Fact]
    public async Task The_connection_test_signs_in_and_fails_with_a_wrong_password()
    {
        var good = await _client.TestConnectionAsync(Connection(), CancellationToken.None);
        var bad = await _client.TestConnectionAsync(Connection(password: "wrong"), CancellationToken.None);

        Assert.True(good.Ok, good.Message);
        Assert.Contains("newsletter", good.Message);
        Assert.False(bad.Ok);
        Assert.Empty(_smtp.Received);
    }

    [Fact]
    public async Task Reconcile_is_unknown_and_names_the_message_id_to_look_for()
    {
        var request = Newsletter(Connection());

        var verdict = await _client.ReconcileAsync(request, CancellationToken.None);

        Assert.Equal(ReconcileVerdict.Unknown, verdict.Verdict);
        Assert.Contains(EmailNewsletterClient.MessageId(request), verdict.Detail);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _smtp.DisposeAsync();
}
