using System.Runtime.InteropServices;

namespace Publisher.Media.Processing;

/// <summary>
/// glibc's allocator gives each thread that allocates its own heap ("arena"), up to eight per core, and keeps what
/// is freed in it. libvips decodes and encodes on worker threads of its own, so a process making derivatives one
/// after another spreads its images' buffers over more and more arenas, each keeping its share: measured on the
/// derivatives benchmark, the peak grew from about 100 MB after the first image to 160–185 MB after a dozen. Two
/// arenas keep it near the first image's peak for the same speed (the figures are in the README). This is the
/// process-wide setting <c>MALLOC_ARENA_MAX=2</c>, made from code so every process that makes derivatives has it:
/// <see cref="MediaServiceCollectionExtensions.AddMedia"/> makes it as the web app and the worker start, and the media
/// code's first use of libvips makes it too. Threads already holding an arena keep theirs.
/// </summary>
internal static class NativeHeap
{

    /// <summary>mallopt's parameter number for the arena limit (glibc's malloc.h).</summary>
    private const int ArenaMax = -8;

    private static int _done;

    public static void LimitArenas()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _done, 1) == 1)
            return;
        // An explicit MALLOC_ARENA_MAX chosen by whoever runs the process wins.
        if (Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is { Length: > 0 })
            return;
        try
        {
            Mallopt(ArenaMax, 2);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl has one heap and no mallopt): nothing to limit.
        }
    }

    // DllImport rather than LibraryImport: two ints need no marshalling code, and the project stays free of unsafe code.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);
#pragma warning restore SYSLIB1054
}
