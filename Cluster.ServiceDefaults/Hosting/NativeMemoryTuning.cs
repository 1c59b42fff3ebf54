using System.Runtime.InteropServices;

namespace MetaCluster.ServiceDefaults.Hosting;

/// <summary>
/// Sets glibc's allocator up for libtorch's CPU tensors, which it allocates and frees by the
/// megabyte on every operation. With glibc's defaults each thread that calls libtorch gets an
/// arena of its own, and a shard running on a thread-pool thread it has not used before (or
/// whose arena was trimmed) pays for fresh pages on every activation: measured on CNN-4 ProtoNet
/// shards, a first step on a new thread ran at 4–5 tasks/s against 7 on a warm one. One arena,
/// large blocks from the heap (up to glibc's 32 MiB limit) and no trimming below 512 MiB keep
/// the pages warm for every thread, as PyTorch's caching allocators do for GPU memory.
/// Set <c>METACLUSTER_MALLOC=default</c> to keep glibc's defaults.
/// </summary>
public static class NativeMemoryTuning
{
    private const int TrimThreshold = -1, TopPad = -2, MmapThreshold = -3, ArenaMax = -8;

    /// <summary>Whether <see cref="Apply"/> changed the allocator's settings.</summary>
    public static bool Applied { get; private set; }

    /// <summary>Applies the settings once, before libtorch allocates; a no-op off glibc or when switched off.</summary>
    public static void Apply()
    {
        if (Applied || !OperatingSystem.IsLinux()) return;
        if (string.Equals(Environment.GetEnvironmentVariable("METACLUSTER_MALLOC"), "default", StringComparison.OrdinalIgnoreCase)) return;
        try
        {
            Applied = mallopt(ArenaMax, 1) == 1
                & mallopt(MmapThreshold, 32 << 20) == 1
                & mallopt(TrimThreshold, 512 << 20) == 1
                & mallopt(TopPad, 64 << 20) == 1;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not glibc (musl has no mallopt): its allocator stays as it is.
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);
}
