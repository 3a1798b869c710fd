using System.Runtime.InteropServices;

namespace Publisher.Media.Processing;

/// <summary>
/// glibc's allocator gives each thread that allocates a heap ("arena") of its own, up to eight per core, and keeps what
/// is freed in it. libvips decodes and encodes on worker threads of its own, so a process making derivatives one
/// after another spreads its images' buffers over more and more arenas, each keeping its share: on the derivatives
/// benchmark the peak crept from about 105 MB after the first image to 175–190 MB after a dozen. Two arenas
/// (<c>MALLOC_ARENA_MAX=2</c>) hold it near 140–150 MB at the same speed. The launcher sets that variable for the web
/// app and the worker, which covers every thread from the start; for a process started some other way,
/// <see cref="MediaServiceCollectionExtensions.AddMedia"/> and the media code's first use of libvips make the same
/// setting from code, which covers the threads made after it (libvips' included) but not the runtime's own, already
/// holding an arena.
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
