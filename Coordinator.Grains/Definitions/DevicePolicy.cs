using System.Globalization;
using System.Text.RegularExpressions;
using TorchSharp;

namespace MetaCluster.Coordinator.Definitions;

/// <summary>
/// Which devices a run may name, decided at run time from the libtorch this process loaded rather
/// than from how it was built: <c>cpu</c> always; <c>cuda</c> or <c>cuda:N</c> when libtorch reports
/// CUDA and device N exists.
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
        if (device == "cpu") return;
        if (!torch.cuda.is_available())
            throw new InvalidRunDefinitionException("device",
                $"{names["device"]} {device}: the libtorch this process loaded has no CUDA (it is the CPU build; a GPU machine needs a CUDA libtorch, see the GPU workers section of the README)");
        int index = device == "cuda" ? 0 : int.Parse(device[5..], CultureInfo.InvariantCulture);
        int count = torch.cuda.device_count();
        if (index >= count)
            throw new InvalidRunDefinitionException("device", $"{names["device"]} {device}: this machine has {count} CUDA device(s), cuda:0 to cuda:{count - 1}");
    }

    [GeneratedRegex("^(cpu|cuda(:[0-9]{1,3})?)$")]
    private static partial Regex Pattern();
}
