using System.Text.Json;
using Microsoft.Playwright;

namespace Publisher.Web.Tests.Browser;

/// <summary>What a page looks like in the window: whether it fits its width, whether an action can be reached.</summary>
public static class PageLayout
{
    /// <summary>A common phone: 390 × 844 CSS pixels.</summary>
    public static ViewportSize Phone => new() { Width = 390, Height = 844 };

    private sealed record Overflow(int ScrollWidth, int InnerWidth, string[] TooWide);

    /// <summary>
    /// Fails when the page scrolls sideways (document.documentElement.scrollWidth &gt; innerWidth), naming the outermost
    /// elements that stick out. Content that scrolls inside its own box (a wide table) does not count.
    /// </summary>
    public static async Task AssertFitsTheWindowAsync(IPage page, string what)
    {
        if (await OverflowAsync(page, what) is { } problem)
            Assert.Fail(problem);
    }

    /// <summary>What sticks out when the page scrolls sideways, or null when it fits.</summary>
    public static async Task<string?> OverflowAsync(IPage page, string what)
    {
        var json = await page.EvaluateAsync<JsonElement>("""
            () => {
              const width = window.innerWidth;
              const scrollWidth = document.documentElement.scrollWidth;
              const tooWide = [];
              if (scrollWidth > width) {
                for (const el of document.querySelectorAll("body *")) {
                  const right = el.getBoundingClientRect().right;
                  const parent = el.parentElement;
                  if (right > width + 0.5 && (!parent || parent === document.body || parent.getBoundingClientRect().right <= width + 0.5)) {
                    tooWide.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""} (right edge ${Math.round(right)} px)`);
                    if (tooWide.length === 6) break;
                  }
                }
              }
              return { scrollWidth, innerWidth: width, tooWide };
            }
            """);
        var result = json.Deserialize<Overflow>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        return result.ScrollWidth <= result.InnerWidth
            ? null
            : $"{what}: the page is {result.ScrollWidth} px wide in a {result.InnerWidth} px window; sticking out: {string.Join("; ", result.TooWide)}";
    }

    /// <summary>The action is on screen once scrolled to, inside the window's width, and enabled: a thumb can press it.</summary>
    public static async Task AssertReachableAsync(ILocator action, int windowWidth)
    {
        await action.ScrollIntoViewIfNeededAsync();
        await Assertions.Expect(action).ToBeVisibleAsync();
        await Assertions.Expect(action).ToBeEnabledAsync();
        await Assertions.Expect(action).ToBeInViewportAsync();
        var box = await action.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.X >= 0 && box.X + box.Width <= windowWidth + 0.5,
            $"the action spans {box.X:0}–{box.X + box.Width:0} px of a {windowWidth} px window");
    }
}
