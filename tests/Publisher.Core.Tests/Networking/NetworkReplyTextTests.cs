using Publisher.Core.Networking;

namespace Publisher.Core.Tests.Networking;

public class NetworkReplyTextTests
{
    [Fact]
    public void Markup_control_and_invisible_characters_are_removed_and_whitespace_collapsed()
    {
        var reply = "<html><body><h1>Bad\r\nRequest</h1><script>alert(1)</script>\u0000token\u202Eexpired\u200B\t here</body></html>";

        Assert.Equal("Bad Request alert(1) tokenexpired here", NetworkReplyText.Clean(reply));
    }

    [Fact]
    public void A_long_reply_is_cut_to_the_reason_length_with_an_ellipsis()
    {
        var cleaned = NetworkReplyText.Clean(new string('x', 10_000));

        Assert.Equal(NetworkReplyText.ReasonLength + 1, cleaned.Length);
        Assert.EndsWith("…", cleaned);
    }

    [Fact]
    public void A_cut_never_splits_a_character_made_of_two_code_units()
    {
        var cleaned = NetworkReplyText.Clean(new string('a', 9) + "😀😀", maxLength: 10);

        Assert.Equal(new string('a', 9) + "…", cleaned);
    }

    [Fact]
    public void Plain_words_pass_unchanged()
    {
        Assert.Equal("The access token is invalid", NetworkReplyText.Clean("The access token is invalid"));
        Assert.Equal("", NetworkReplyText.Clean(null));
    }
}
