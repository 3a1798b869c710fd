using BenchmarkDotNet.Running;
using Publisher.Bench.Calendar;

namespace Publisher.Bench;

/// <summary>
/// "calendar" runs the month-view load harness and "signin" the sign-in timing comparison (each a real PostgreSQL
/// and the web app in-process); anything else goes to BenchmarkDotNet. An explicit entry class, since the web app's own <c>Program</c> is referenced here.
/// </summary>
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.FirstOrDefault() == "calendar")
            return await MonthViewHarness.RunAsync(args[1..]);
        if (args.FirstOrDefault() == "signin")
            return await SignIn.SignInTimingHarness.RunAsync(args[1..]);
        if (args.FirstOrDefault() == "analytics")
            return await Analytics.AnalyticsHarness.RunAsync(args[1..]);
        if (args.FirstOrDefault() == "media")
            return await Media.DerivativesHarness.RunAsync(args[1..]);
        if (args.FirstOrDefault() == "video")
            return await Media.VideoUploadHarness.RunAsync(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
        return 0;
    }
}
