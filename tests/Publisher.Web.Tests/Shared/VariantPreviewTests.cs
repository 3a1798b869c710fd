using Publisher.Core.Domain;
using Publisher.Web.Tests.Messages;

namespace Publisher.Web.Tests.Shared;

[Collection(WebAppCollection.Name)]
public class VariantPreviewTests(PublisherWebApp app)
{
    [Fact]
    public async Task The_variant_page_shows_hashtags_and_links_coloured_and_the_text_unchanged()
    {
        await Editor.SeedDefaultsAsync(app);
        var marketer = await app.SignedInAsync(Roles.Marketer);
        // Its links as written: a tracked account's short link on the test's loopback address is not a link to X.
        var x = await Editor.AccountsAsync(app, trackLinks: false, "X");
        var fields = Editor.Fields("Preview colours", "Fresh beans on Saturday.", x);
        fields["Input.Link"] = "https://northwind.coffee/saturday";
        var id = Editor.SavedMessageId(await Editor.PostAsync(marketer, "/Messages/New", fields));
        var variant = (await Editor.LoadAsync(app, id)).Variants.Single();

        var page = await marketer.GetStringAsync($"/Variants/{variant.Id}");

        Assert.Contains("<span class=\"t-tag\">#coffee</span>", page);
        Assert.Matches("<span class=\"t-link\">https://northwind\\.coffee/saturday[^<]*</span>", page);
        Assert.Contains("Fresh beans on Saturday.", page);
    }
}
