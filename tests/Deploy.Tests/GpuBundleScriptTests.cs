using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MetaCluster.Tests.Deploy;

/// <summary>
/// The GPU device bundle (Deploy/gpu/bundle.sh) and its device script (run.sh), on a CPU machine:
/// the bundle is built once (a self-contained publish, minutes), must stay within the device's
/// 64 MiB, and run.sh --cpu --quick takes the path it takes on a GPU (unpack, find libtorch, check
/// the shim with ldd -r, the gradient check, train, the throughput bench) against the build's CPU
/// libtorch. Where a tool is missing the test skips and says which.
/// </summary>
public sealed class GpuBundleScriptTests(GpuBundleScriptTests.Bundle bundle, ITestOutputHelper output) : IClassFixture<GpuBundleScriptTests.Bundle>
{
    private const long LimitBytes = 64L * 1024 * 1024;

    [Fact]
    public void TheBundleHoldsTheAppTheShimSourcesAndTheScriptWithinTheDeviceLimit()
    {
        var dir = bundle.Require();
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "bundle.json")))!;
        long bytes = (long)manifest["bundle_bytes"]!;
        output.WriteLine($"bundle {bytes / 1048576.0:0.0} MiB, app unpacked {(long)manifest["app_bytes_unpacked"]! / 1048576.0:0.0} MiB");
        Assert.InRange(bytes, 1, LimitBytes);
        Assert.True(File.Exists(Path.Combine(dir, "app.tar.xz")));
        Assert.True(File.Exists(Path.Combine(dir, "run.sh")));
        Assert.True(File.Exists(Path.Combine(dir, "native", "CMakeLists.txt")));
        Assert.True(File.Exists(Path.Combine(dir, "native", "TorchSharp", "src", "Native", "LibTorchSharp", "THSTensor.cpp")));
    }

    [Fact]
    public async Task RunShCpuModeTakesTheDevicePathAgainstTheCpuLibtorch()
    {
        var dir = bundle.Require();
        if (CpuLibtorch() is null && !await Succeeds("python3", "-c", "import torch"))
            throw Xunit.Sdk.SkipException.ForSkip("no libtorch to run against: neither the NuGet cache's libtorch-cpu-linux-x64 nor Python's torch");
        var outDir = Directory.CreateTempSubdirectory("metacluster-gpu-run-").FullName;
        var (exit, text) = await RunAsync(Path.Combine(dir, "run.sh"), ["--cpu", "--quick"], new() { ["OUT"] = outDir }, TimeSpan.FromMinutes(20));
        output.WriteLine(text);
        var steps = File.ReadAllLines(Path.Combine(outDir, "steps.tsv")).Skip(1).Select(l => l.Split('\t')).ToDictionary(f => f[0], f => f[1]);
        foreach (var step in new[] { "unpack", "torch", "shim", "gradcheck", "train-sinusoid", "throughput" })
            Assert.True(steps.TryGetValue(step, out var status) && status == "PASS", $"step {step}: {(steps.TryGetValue(step, out var s) ? s : "missing")}");
        if (File.Exists(Path.Combine(dir, "data", "omniglot", "images_background_small1.zip")))
            Assert.Equal("PASS", steps["train-omniglot"]);
        Assert.Equal(0, exit);
        Assert.True(File.Exists(Path.Combine(outDir, "gradcheck", "gradcheck.json")));
    }

    [Fact]
    public async Task RunShBuildsTheShimWithCMakeWhereATorchCMakeConfigExists()
    {
        foreach (var tool in new[] { "cmake", "ninja", "c++" })
            if (!await Succeeds("sh", "-c", $"command -v {tool}"))
                throw Xunit.Sdk.SkipException.ForSkip($"{tool} is missing: the shim cannot be built here");
        if (!await Succeeds("python3", "-c", "import sys, torch; v = tuple(int(p) for p in torch.__version__.split('+')[0].split('.')[:2]); sys.exit(0 if v >= (2, 10) else 1)"))
            throw Xunit.Sdk.SkipException.ForSkip("Python has no torch 2.10 or later: no libtorch headers and CMake config the 0.107.0 shim builds against (the NuGet CPU libtorch carries neither)");
        var dir = bundle.Require();
        var outDir = Directory.CreateTempSubdirectory("metacluster-gpu-shim-").FullName;
        var (exit, text) = await RunAsync(Path.Combine(dir, "run.sh"), ["--cpu", "--force-build", "--steps", "shim"], new() { ["OUT"] = outDir }, TimeSpan.FromMinutes(30));
        output.WriteLine(text);
        Assert.Equal(0, exit);
        Assert.Contains("shim\tPASS", File.ReadAllText(Path.Combine(outDir, "steps.tsv")));
    }

    private static string? CpuLibtorch()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var root = Path.Combine(packages, "libtorch-cpu-linux-x64");
        return Directory.Exists(root) ? Directory.GetDirectories(root).FirstOrDefault() : null;
    }

    internal static async Task<bool> Succeeds(string file, params string[] arguments)
    {
        try { return (await RunAsync(file, arguments, [], TimeSpan.FromMinutes(2))).Exit == 0; }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    internal static async Task<(int Exit, string Output)> RunAsync(string file, string[] arguments, Dictionary<string, string> environment, TimeSpan limit)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = DeployFiles.RepositoryRoot };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw new TimeoutException($"{file} ran past {limit}"); }
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The bundle, built once for the class into a temporary folder (or the reason it could not be).</summary>
    public sealed class Bundle : IAsyncLifetime
    {
        private string? directory;
        private string? skip;

        /// <summary>The bundle's folder; skips the test when it could not be built for want of a tool.</summary>
        public string Require() => directory ?? throw Xunit.Sdk.SkipException.ForSkip(skip ?? "no bundle");

        public async ValueTask InitializeAsync()
        {
            if (OperatingSystem.IsWindows()) { skip = "Deploy/gpu/bundle.sh is a bash script for linux-x64"; return; }
            foreach (var tool in new[] { "dotnet", "xz", "tar", "ldd" })
                if (!await Succeeds("sh", "-c", $"command -v {tool}")) { skip = $"{tool} is missing: the bundle cannot be built here"; return; }
            var dir = Directory.CreateTempSubdirectory("metacluster-gpu-bundle-").FullName;
            var (exit, text) = await RunAsync(Path.Combine(DeployFiles.DeployDirectory, "gpu", "bundle.sh"), [dir], [], TimeSpan.FromMinutes(30));
            if (exit != 0) throw new InvalidOperationException($"bundle.sh exited with {exit}:\n{text}");
            directory = dir;
        }

        public ValueTask DisposeAsync()
        {
            if (directory is not null) Directory.Delete(directory, recursive: true);
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>bundle.sh's own checks, on a stand-in publish folder (seconds, no publish).</summary>
public sealed class GpuBundleChecksTests
{
    [Theory]
    [InlineData("libtorch_cpu.so", "64", 1, "publish with -p:TorchBackend=none")]
    [InlineData(null, "0", 3, "over 0 MiB")]
    [InlineData(null, "64", 0, "limit 64 MiB")]
    public async Task BundleShRefusesALibtorchInThePublishAndABundleOverTheLimit(string? extra, string limitMib, int expectedExit, string expected)
    {
        if (OperatingSystem.IsWindows()) throw Xunit.Sdk.SkipException.ForSkip("Deploy/gpu/bundle.sh is a bash script for linux-x64");
        if (!await GpuBundleScriptTests.Succeeds("sh", "-c", "command -v xz && command -v tar"))
            throw Xunit.Sdk.SkipException.ForSkip("xz or tar is missing: bundle.sh cannot pack here");
        var app = Directory.CreateTempSubdirectory("metacluster-fake-publish-").FullName;
        var dir = Directory.CreateTempSubdirectory("metacluster-fake-bundle-").FullName;
        try
        {
            foreach (var name in new[] { "Coordinator", "Bench", "libLibTorchSharp.so", extra }.OfType<string>())
                await File.WriteAllTextAsync(Path.Combine(app, name), "stand-in", TestContext.Current.CancellationToken);
            var (exit, text) = await GpuBundleScriptTests.RunAsync(Path.Combine(DeployFiles.DeployDirectory, "gpu", "bundle.sh"),
                [dir, "--no-publish", app], new() { ["BUNDLE_LIMIT_MIB"] = limitMib }, TimeSpan.FromMinutes(2));
            Assert.True(exit == expectedExit, $"exit {exit}: {text}");
            Assert.Contains(expected, text);
            if (expectedExit == 0) Assert.True(File.Exists(Path.Combine(dir, "native", "TorchSharp", "LICENSE.txt")));
        }
        finally
        {
            Directory.Delete(app, recursive: true);
            Directory.Delete(dir, recursive: true);
        }
    }
}
