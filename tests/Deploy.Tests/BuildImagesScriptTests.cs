using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MetaCluster.Tests.Deploy;

/// <summary>
/// Deploy/build-images.sh must tag the images exactly as the chart's defaults name them, or
/// `helm install --set image.registry=R` pulls images that do not exist. It runs here against a
/// stand-in `docker` that records its arguments.
/// </summary>
public sealed class BuildImagesScriptTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ScriptBuildsAndPushesTheTagsTheChartDeploys()
    {
        // A throw, not Assert.Skip: the platform analyzer reads the rest of the test as Linux and macOS only.
        if (OperatingSystem.IsWindows()) throw Xunit.Sdk.SkipException.ForSkip("Deploy/build-images.sh is a bash script: this test runs on Linux and macOS only.");
        var values = DeployFiles.ChartValues();
        var chart = (JsonObject)YamlJson.Parse(File.ReadAllText(Path.Combine(DeployFiles.ChartDirectory, "Chart.yaml")))!;
        var version = (string)chart["appVersion"]!;
        var registry = "registry.example.com/ml";
        var coordinator = $"{registry}/{values["coordinator"]!["image"]!["repository"]}:{version}";
        var worker = $"{registry}/{values["worker"]!["image"]!["repository"]}:{version}";

        var calls = await RunAsync("--push", registry + "/");

        Assert.Contains(calls, c => c.StartsWith("build ", StringComparison.Ordinal) && c.Contains($" -t {coordinator} ", StringComparison.Ordinal) && c.Contains("coordinator.Dockerfile", StringComparison.Ordinal));
        foreach (var backend in new[] { "cpu", "cuda" })
        {
            Assert.Contains(calls, c => c.StartsWith("build ", StringComparison.Ordinal) && c.Contains($" -t {worker}-{backend} ", StringComparison.Ordinal) && c.Contains($"TORCH_BACKEND={backend}", StringComparison.Ordinal));
            Assert.Contains($"push {worker}-{backend}", calls);
        }
        Assert.Contains($"push {coordinator}", calls);
        Assert.All(calls.Where(c => c.StartsWith("build ", StringComparison.Ordinal)), c => Assert.Contains("--platform linux/amd64", c));
    }

    [Fact]
    public async Task ScriptBuildsOneBackendWithLocalNamesAndPushesNothingByDefault()
    {
        // A throw, not Assert.Skip: the platform analyzer reads the rest of the test as Linux and macOS only.
        if (OperatingSystem.IsWindows()) throw Xunit.Sdk.SkipException.ForSkip("Deploy/build-images.sh is a bash script: this test runs on Linux and macOS only.");
        var calls = await RunAsync("--backend", "cpu", "--version", "9.9.9");

        Assert.Equal(2, calls.Count);
        Assert.Contains(calls, c => c.Contains(" -t metacluster-coordinator:9.9.9 ", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.Contains(" -t metacluster-worker:9.9.9-cpu ", StringComparison.Ordinal));
        Assert.DoesNotContain(calls, c => c.StartsWith("push", StringComparison.Ordinal));
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private async Task<List<string>> RunAsync(params string[] arguments)
    {
        var bin = Directory.CreateTempSubdirectory("metacluster-docker-stub-");
        try
        {
            var log = Path.Combine(bin.FullName, "calls.log");
            var stub = Path.Combine(bin.FullName, "docker");
            await File.WriteAllTextAsync(stub, $"#!/bin/sh\necho \"$*\" >> '{log}'\n");
            File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(DeployFiles.InRepository("Deploy", "build-images.sh"));
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            start.Environment["PATH"] = bin.FullName + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync(timeout.Token);
            output.WriteLine(await stdout + await stderr);
            Assert.Equal(0, process.ExitCode);

            var calls = File.Exists(log) ? (await File.ReadAllLinesAsync(log)).ToList() : [];
            output.WriteLine(string.Join("\n", calls));
            return calls;
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }
}
