using System.Globalization;
using TorchSharp;

namespace MetaCluster.Learning.Devices;

/// <summary>
/// Whether this process can compute on a device, decided at run time from the libtorch it loaded
/// rather than from how it was built: the CPU always; <c>cuda</c> or <c>cuda:N</c> when libtorch
/// reports CUDA (TorchSharp then loads <c>libtorch_cuda</c>, from the application folder or
/// <c>LD_LIBRARY_PATH</c>) and GPU N exists. The one check behind <c>train</c>'s and the TaskWorker's
/// <c>--device</c>.
/// </summary>
public static class ComputeDevices
{
    /// <summary>The CUDA devices libtorch sees: 0 without a CUDA libtorch or a GPU.</summary>
    public static int CudaDeviceCount() => torch.cuda.is_available() ? torch.cuda.device_count() : 0;

    /// <summary>
    /// Null when <paramref name="device"/> (<c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>, spelling
    /// already checked) can be used here; otherwise what is missing, in words that follow the device's name.
    /// </summary>
    public static string? Unavailable(string device)
    {
        if (device == "cpu") return null;
        if (!torch.cuda.is_available())
            return "the libtorch this process loaded has no CUDA (it is the CPU build, or no GPU is visible; "
                + "a GPU machine needs a CUDA libtorch: docs/gpu.md)";
        int index = device == "cuda" ? 0 : int.Parse(device.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture);
        int count = torch.cuda.device_count();
        return index < count ? null : $"this machine has {count} CUDA device(s){(count > 0 ? $", cuda:0 to cuda:{count - 1}" : "")}";
    }
}
