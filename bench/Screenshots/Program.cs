using Microsoft.Playwright;

// Takes the README's screenshots (docs/screenshot-*.png) from a running demo, on a desktop and on a phone:
// the calendar, the editor, the approval queue and a variant under review. Run by hand, not by the tests:
//
//   ./run.sh                                                   (in one terminal)
//   dotnet run -c Release --project bench/Screenshots -- [address] [demo users file] [output folder]
//
// Defaults: http://127.0.0.1:5080, .data/demo-users.txt and docs/, relative to the checkout.
var root = FindCheckout();
var address = (args.ElementAtOrDefault(0) ?? "http://127.0.0.1:5080").TrimEnd('/');
var usersFile = args.ElementAtOrDefault(1) ?? Path.Combine(root, ".data", "demo-users.txt");
var output = args.ElementAtOrDefault(2) ?? Path.Combine(root, "docs");
if (!File.Exists(usersFile))
{
    Console.Error.WriteLine($"{usersFile} is missing: start the demo with ./run.sh first (it writes the demo users there), or name the file.");
    return 1;
}
// "email  password  role" per line, as ./run.sh writes it.
var users = File.ReadAllLines(usersFile).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(p => p.Length >= 3)
    .ToDictionary(p => p[2], p => (Email: p[0], Password: p[1]));

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
Directory.CreateDirectory(output);
var sizes = new (string Suffix, ViewportSize Size, bool Mobile)[]
{
    ("", new ViewportSize { Width = 1400, Height = 900 }, false),
    ("-phone", new ViewportSize { Width = 390, Height = 844 }, true),
};
foreach (var (suffix, size, mobile) in sizes)
{
    var marketer = await SignInAsync("Marketer", size, mobile);
    await marketer.GotoAsync(address + "/Calendar");
    await marketer.Locator(".entry").First.WaitForAsync();
    await ShotAsync(marketer, "calendar" + suffix);

    // The editor of the week's message with the most channels, every preview rendered.
    var message = await marketer.EvaluateAsync<string>("""
        () => [...document.querySelectorAll(".message-group")]
          .sort((a, b) => b.querySelectorAll(".entry").length - a.querySelectorAll(".entry").length)[0]
          .querySelector("h3 a").getAttribute("href")
        """);
    await marketer.GotoAsync(address + message);
    await marketer.Locator(".preview-card:not([hidden]) [data-score]:not(:empty)").First.WaitForAsync();
    foreach (var frame in await marketer.Locator(".preview-card:not([hidden]) [data-html]:not([hidden])").AllAsync())
        await frame.Locator("iframe.html-preview:not(.loading)").WaitForAsync();
    await ShotAsync(marketer, "editor" + suffix);

    var approver = await SignInAsync("Approver", size, mobile);
    await approver.GotoAsync(address + "/Approvals");
    await ShotAsync(approver, "approvals" + suffix);
    var review = approver.Locator(".queue-item a", new() { HasText = "Review" }).First;
    if (await review.CountAsync() == 0)
    {
        Console.Error.WriteLine("Nothing is waiting for review in the demo, so there is no variant page to show: submit a draft first.");
        return 1;
    }
    await review.ClickAsync();
    await approver.Locator("#approve").WaitForAsync();
    await ShotAsync(approver, "variant" + suffix);
    await marketer.Context.CloseAsync();
    await approver.Context.CloseAsync();
}
return 0;

async Task<IPage> SignInAsync(string role, ViewportSize size, bool mobile)
{
    var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = size, IsMobile = mobile, HasTouch = mobile, DeviceScaleFactor = 1 });
    var page = await context.NewPageAsync();
    await page.GotoAsync(address + "/Account/SignIn");
    await page.FillAsync("input[name='Input.Email']", users[role].Email);
    await page.FillAsync("input[name='Input.Password']", users[role].Password);
    await page.ClickAsync("button[type=submit]");
    await page.WaitForURLAsync(url => !url.Contains("/Account/SignIn", StringComparison.OrdinalIgnoreCase));
    return page;
}

// What a person sees on opening the page: the window, not the whole scrolled length.
async Task ShotAsync(IPage page, string name)
{
    var path = Path.Combine(output, $"screenshot-{name}.png");
    await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
    Console.WriteLine($"Wrote {Path.GetRelativePath(root, path)}");
}

static string FindCheckout()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Publisher.sln")))
            return dir.FullName;
    }
    return Directory.GetCurrentDirectory();
}
