using Publisher.Analytics.Attribution;

namespace Publisher.Analytics.Tests;

public class IdentityGraphTests
{
    private static Func<Guid> Sequence()
    {
        var next = 100;
        return () => new Guid($"00000000-0000-0000-0000-{next++:D12}");
    }

    [Fact]
    public void Keys_seen_together_become_one_person_and_a_new_key_joins_a_known_one()
    {
        var known = Guid.Parse("00000000-0000-0000-0000-000000000001");
        var graph = new IdentityGraph([new("v:visitor-1", known)], Sequence());

        var landed = graph.Link(["v:visitor-1", "c:click-1"]);
        Assert.Equal(known, landed);
        Assert.Equal(known, graph.PersonOf("c:click-1"));

        var stranger = graph.Link(["c:click-2"]);
        Assert.NotEqual(known, stranger);
        Assert.Null(graph.PersonOf("e:nobody"));
        Assert.Empty(graph.Merges);
    }

    [Fact]
    public void A_link_between_two_known_people_merges_them_into_the_older_one()
    {
        var older = Guid.Parse("00000000-0000-0000-0000-000000000001");
        var newer = Guid.Parse("00000000-0000-0000-0000-000000000002");
        var graph = new IdentityGraph([new("v:laptop", older), new("v:phone", newer), new("c:click-on-phone", newer)], Sequence());

        // A sale reported with the e-mail hash the laptop's contact gave and the click id from the phone.
        graph.Link(["e:hash", "v:laptop"]);
        var person = graph.Link(["e:hash", "c:click-on-phone"]);

        Assert.Equal(older, person);
        Assert.Equal([(newer, older)], graph.Merges);
        Assert.All(graph.Keys.Values, p => Assert.Equal(older, p));
        Assert.Equal(4, graph.Keys.Count);
    }

    [Fact]
    public void Two_people_first_seen_in_one_batch_and_then_joined_keep_the_first_id()
    {
        var graph = new IdentityGraph([], Sequence());
        var a = graph.Link(["v:a"]);
        var b = graph.Link(["v:b"]);
        var joined = graph.Link(["v:a", "v:b"]);
        Assert.Equal(a, joined);
        Assert.Equal(a, graph.PersonOf("v:b"));
        Assert.NotEqual(a, b);
        Assert.Empty(graph.Merges); // neither was stored before: nothing stored needs moving
    }
}
