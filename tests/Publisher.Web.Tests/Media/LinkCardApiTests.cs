using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Testing;

namespace Publisher.Web.Tests.Media;

/// <summary>The editor's link card API: the page's card for authors, the message's words when it cannot be read, the picture handed on.</summary>
[Collection(WebAppCollection.Name)]
public class LinkCardApiTests(PublisherWebApp app)
{
    [Fact]
    public async Task An_author_gets_the_pages_card_and_its_picture_through_the_app()
    {
        await using var site = new LinkedPageServer();
        using var picture = NetVips.Image.Black(30, 20, bands: 3) + 90;
        var png = picture.PngsaveBuffer();
        site.Put("p.png", LinkedPage.Bytes("image/png", png));
        site.Put("page", LinkedPage.Html("""<head><meta property="og:title" content="A page"><meta property="og:description" content="Its words"><meta property="og:image" content="p.png"></head>"""));
        var client = await app.SignedInAsync(Roles.Marketer);

        using var response = await client.GetAsync("/api/link-card?" + Query(site.Address("page"), "Own title", "Own summary"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        var card = JsonDocument.Parse(body).RootElement;
        Assert.Equal("A page", card.GetProperty("title").GetString());
        Assert.Equal("Its words", card.GetProperty("description").GetString());
        Assert.True(card.GetProperty("fromPage").GetBoolean());
        using var image = await client.GetAsync(card.GetProperty("imageUrl").GetString());
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", image.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(png, await image.Content.ReadAsByteArrayAsync());

        var fallback = await client.GetFromJsonAsync<JsonElement>("/api/link-card?" + Query(site.Address("missing"), "Own title", "Own summary"));
        Assert.Equal("Own title", fallback.GetProperty("title").GetString());
        Assert.Equal("Own summary", fallback.GetProperty("description").GetString());
        Assert.False(fallback.GetProperty("fromPage").GetBoolean());
        Assert.Equal(JsonValueKind.Null, fallback.GetProperty("imageUrl").ValueKind);

        using var notAddress = await client.GetAsync("/api/link-card?url=javascript:alert(1)");
        Assert.Equal(HttpStatusCode.BadRequest, notAddress.StatusCode);
        using var notImage = await client.GetAsync("/api/link-card/image?url=" + Uri.EscapeDataString(site.Address("page").AbsoluteUri));
        Assert.Equal(HttpStatusCode.NotFound, notImage.StatusCode);
    }

    [Fact]
    public async Task Someone_signed_out_cannot_make_the_app_fetch_an_address()
    {
        await using var site = new LinkedPageServer();
        site.Put("page", LinkedPage.Html("<head><title>x</title></head>"));
        var client = app.NewClient();

        using var card = await client.GetAsync("/api/link-card?" + Query(site.Address("page"), "t", null));
        using var image = await client.GetAsync("/api/link-card/image?url=" + Uri.EscapeDataString(site.Address("page").AbsoluteUri));

        Assert.NotEqual(HttpStatusCode.OK, card.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, image.StatusCode);
        Assert.Empty(site.Requested);
    }

    private static string Query(Uri url, string title, string? summary) =>
        $"url={Uri.EscapeDataString(url.AbsoluteUri)}&title={Uri.EscapeDataString(title)}" + (summary is null ? "" : "&summary=" + Uri.EscapeDataString(summary));
}
