using Publisher.Web.Pages.Shared;

namespace Publisher.Web.Tests.Shared;

public class TextDiffTests
{
    private static string Marked(IReadOnlyList<TextDiff.Piece> pieces) => string.Concat(pieces.Select(p => p.Kind switch
    {
        TextDiff.Kind.Added => $"[+{p.Text}]",
        TextDiff.Kind.Removed => $"[-{p.Text}]",
        _ => p.Text,
    }));

    [Fact]
    public void The_same_text_with_windows_line_endings_has_no_changes()
    {
        const string reviewed = "Autumn Blend is back.\r\n\r\nNotes of fig and cocoa.\r\nOrder now: https://northwind.example/autumn";
        const string now = "Autumn Blend is back.\n\nNotes of fig and cocoa.\nOrder now: https://northwind.example/autumn";

        var pieces = TextDiff.Words(reviewed, now);

        Assert.False(TextDiff.HasChanges(pieces));
        Assert.Equal(now, Marked(pieces));
    }

    [Fact]
    public void Only_the_changed_word_is_marked_when_line_endings_also_differ()
    {
        var pieces = TextDiff.Words("Autumn Blend is back.\r\nNotes of fig and cocoa.\r\n", "Autumn Blend is back.\nNotes of fig and hazelnut.\n");

        Assert.Equal("Autumn Blend is back.\nNotes of fig and [-cocoa.] [+hazelnut.]", Marked(pieces));
        Assert.Single(pieces, p => p.Kind == TextDiff.Kind.Removed);
        Assert.Single(pieces, p => p.Kind == TextDiff.Kind.Added);
    }

    [Fact]
    public void Spaces_tabs_and_trailing_spaces_alone_are_no_change()
    {
        var pieces = TextDiff.Words("Fresh  beans\t on Saturday.   \nSee you.", "Fresh beans on Saturday.\nSee you.");

        Assert.False(TextDiff.HasChanges(pieces));
        Assert.Equal("Fresh beans on Saturday.\nSee you.", Marked(pieces));
    }

    [Fact]
    public void Added_and_removed_runs_are_one_mark_each_with_the_spacing_outside()
    {
        var pieces = TextDiff.Words("Come in order to taste the blend on Saturday.", "Come to taste the new blend this Saturday at ten.");

        Assert.Equal("Come [-in order] to taste the [+new] blend [-on Saturday.] [+this Saturday at ten.]", Marked(pieces));
        Assert.All(pieces.Where(p => p.Kind != TextDiff.Kind.Same), p => Assert.False(char.IsWhiteSpace(p.Text[0]) || char.IsWhiteSpace(p.Text[^1])));
    }

    [Fact]
    public void A_paragraph_added_at_the_start_and_text_removed_at_the_end_are_marked()
    {
        var pieces = TextDiff.Words("Order now.\r\nThanks, the roasters", "New this week!\n\nOrder now.");

        Assert.Equal("[+New this week!]\n\nOrder now.\n[-Thanks, the roasters]", Marked(pieces));
    }

    [Fact]
    public void Empty_and_missing_texts_are_all_added_or_all_removed()
    {
        Assert.Equal("[+Fresh beans]", Marked(TextDiff.Words(null, "Fresh beans")));
        Assert.Equal("[-Fresh beans]", Marked(TextDiff.Words("Fresh beans", "")));
        Assert.Empty(TextDiff.Words("", "  \r\n "));
    }
}
