using Microsoft.Extensions.DependencyInjection;

namespace Publisher.StyleGuide.Tests;

public class DefaultGuideAndServicesTests
{
    [Fact]
    public void The_default_guide_is_valid_and_has_a_rule_of_every_kind()
    {
        var result = StyleGuideYaml.Parse(DefaultStyleGuide.Yaml);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Empty(result.Diagnostics);

        var kinds = result.Guide!.Rules.Select(r => r.Kind).ToHashSet();
        Assert.Equal(["capitalization", "conditional", "existence", "key-facts", "metric", "occurrence", "required", "substitution"], kinds.Order().ToArray());
        Assert.True(result.Guide.Vocabulary.Preferred.Count >= 5);
        Assert.NotEmpty(result.Guide.Identity.Palette);
    }

    [Fact]
    public void The_embedded_default_guide_is_the_file_in_the_repository()
    {
        var file = Path.Combine(RepositoryRoot(), "styleguide", "default-guide.yaml");
        Assert.Equal(File.ReadAllText(file), DefaultStyleGuide.Yaml);
    }

    [Fact]
    public void The_default_guide_catches_the_problems_it_is_meant_to()
    {
        var input = new LintInput
        {
            Channel = "X",
            Body = "Signup for the ULTIMATE northwind coffee!! Cheap #ad",
            Link = "https://northwind.example/guji",
            KeyFacts = ["12 March"],
            CallToAction = "Order now",
        };
        var ids = CompiledStyleGuide.Compile(DefaultStyleGuide.Load()).Lint(input).Findings.Select(f => f.RuleId).ToHashSet();

        Assert.Superset(new HashSet<string>
        {
            "vocabulary.preferred", "vocabulary.brand-names", "vocabulary.banned", "no-hype", "no-shouting",
            "one-exclamation", "ad-needs-disclosure", "has-link", "has-call-to-action", "key-facts",
        }, ids);
    }

    [Theory]
    [InlineData("X")]
    [InlineData("Mastodon")]
    [InlineData("LinkedIn")]
    [InlineData("Email")]
    [InlineData("Blog")]
    public void A_well_written_variant_passes_the_default_guide_with_full_marks(string channel)
    {
        var input = new LintInput
        {
            Channel = channel,
            Title = channel == "Blog" ? "Ethiopia Guji is back on 12 March" : null,
            Subject = channel == "Email" ? "Guji is back on 12 March" : null,
            Body = "Our Ethiopia Guji is back on 12 March at $14 a bag. It tastes of blueberry and dark chocolate, "
                + "and it shines in a pour-over or an AeroPress. Sign up for BrewPass and Northwind Coffee ships it "
                + "the day we roast it ☕\nOrder now: https://northwind.example/guji?utm_source=" + channel.ToLowerInvariant() + " #NorthwindCoffee #coffee",
            Link = "https://northwind.example/guji",
            CallToAction = "Order now",
            KeyFacts = ["12 March", "$14", "Guji"],
        };

        var result = CompiledStyleGuide.Compile(DefaultStyleGuide.Load()).Lint(input);

        Assert.Empty(result.Findings);
        Assert.Equal(100, result.Score);
    }

    [Fact]
    public void AddStyleGuide_registers_one_linter_for_the_app()
    {
        var services = new ServiceCollection().AddStyleGuide().AddStyleGuide();
        var descriptor = Assert.Single(services, d => d.ServiceType == typeof(StyleGuideLinter));
        Assert.Equal(ServiceLifetime.Singleton, descriptor.Lifetime);
    }

    [Fact]
    public void The_linter_compiles_a_guide_once_and_reuses_it_for_equal_guides()
    {
        var linter = new StyleGuideLinter();
        var guide = DefaultStyleGuide.Load();
        var same = linter.Compile(guide);

        Assert.Same(same, linter.Compile(guide));
        Assert.Same(same, linter.Compile(DefaultStyleGuide.Load()));
        Assert.NotSame(same, linter.Compile(guide with { Rules = [] }));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Publisher.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Publisher.sln not found above " + AppContext.BaseDirectory);
    }
}
