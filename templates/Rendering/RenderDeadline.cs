using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Publisher.Templates.Rendering;

/// <summary>
/// When a render must stop: after <see cref="RenderLimits.RenderTimeout"/> of the rendering thread's own CPU
/// time (so a busy machine, which stretches wall-clock time, never fails a render that is doing little), or
/// when the request's wall-clock budget ends, whichever comes first. Rendering is synchronous, so the thread's
/// CPU time is the render's. Where the thread's CPU time cannot be read, wall-clock time stands in for it.
/// </summary>
internal readonly record struct RenderDeadline(long CpuTicks, long WallTimestamp)
{
    /// <summary>A deadline <paramref name="timeout"/> of this thread's CPU time after <paramref name="cpuStarted"/>, and no later than <paramref name="wallDeadline"/>.</summary>
    public static RenderDeadline After(long cpuStarted, TimeSpan timeout, long wallDeadline = long.MaxValue) =>
        new(cpuStarted + (long)(timeout.TotalSeconds * Stopwatch.Frequency), wallDeadline);

    /// <summary>True once either time is up.</summary>
    public bool HasPassed => ThreadCpuNow() > CpuTicks || Stopwatch.GetTimestamp() > WallTimestamp;

    /// <summary>This thread's CPU time so far, in <see cref="Stopwatch"/> ticks (the wall clock where it cannot be read).</summary>
    public static long ThreadCpuNow()
    {
        if (s_threadClock && clock_gettime(OperatingSystem.IsMacOS() ? 16 : 3, out var now) == 0)
            return (now.Seconds * 1_000_000_000L + now.Nanoseconds) * Stopwatch.Frequency / 1_000_000_000L;
        return Stopwatch.GetTimestamp();
    }

    // CLOCK_THREAD_CPUTIME_ID: 3 on Linux, 16 on macOS.
    private static readonly bool s_threadClock = (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && Probe();

    private static bool Probe()
    {
        try
        {
            return clock_gettime(OperatingSystem.IsMacOS() ? 16 : 3, out _) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime", SetLastError = false)]
    private static extern int clock_gettime(int clockId, out TimeSpec time);
}
