using System.Text.RegularExpressions;
using MetaCluster.Learning.Devices;

namespace MetaCluster.Coordinator.Definitions;

/// <summary>
/// Which devices a run may name: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> everywhere (the spelling,
/// <see cref="Check"/>); whether the machine that computes has it is decided at run time from the
/// libtorch that process loaded (<see cref="CheckAvailableHere"/>, through <see cref="ComputeDevices"/>,
/// which the TaskWorker executable uses for its own <c>--device</c>).
/// </summary>
public static partial class DevicePolicy
{
    /// <summary>Checks the spelling of <paramref name="device"/>.</summary>
    public static void Check(string device, FieldNames names)
    {
        if (!Pattern().IsMatch(device))
            throw new InvalidRunDefinitionException("device", $"{names["device"]} must be cpu, cuda or cuda:N; got '{(device.Length <= 40 ? device : device[..40] + "…")}'");
    }

    /// <summary>Checks that this process can compute on <paramref name="device"/>; names what is missing otherwise.</summary>
    public static void CheckAvailableHere(string device, FieldNames names)
    {
        Check(device, names);
        if (ComputeDevices.Unavailable(device) is { } missing)
            throw new InvalidRunDefinitionException("device", $"{names["device"]} {device}: {missing}");
    }

    [GeneratedRegex("^(cpu|cuda(:[0-9]{1,3})?)$")]
    private static partial Regex Pattern();
}
