using System.Text.RegularExpressions;
using MetaCluster.Learning.Devices;
using MetaCluster.ServiceDefaults.Options;

namespace MetaCluster.Bench;

/// <summary>The <c>--device</c> of the suites that compute: spelled like <c>train</c>'s, and there in this process's libtorch.</summary>
public static partial class BenchDevices
{
    /// <summary>Whether <paramref name="device"/> is cpu, cuda or cuda:N.</summary>
    public static bool IsSpelledRight(string device) => Pattern().IsMatch(device);

    /// <summary>Throws a <see cref="UsageException"/> naming what is missing when this process cannot compute on <paramref name="device"/>.</summary>
    public static void RequireAvailable(string device)
    {
        if (!IsSpelledRight(device)) throw new UsageException($"--device must be cpu, cuda or cuda:N, got '{device}'");
        if (ComputeDevices.Unavailable(device) is { } missing) throw new UsageException($"--device {device}: {missing}");
    }

    [GeneratedRegex("^(cpu|cuda(:[0-9]{1,3})?)$")]
    private static partial Regex Pattern();
}
