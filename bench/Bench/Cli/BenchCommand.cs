using System.Globalization;
using MetaCluster.Bench;
using MetaCluster.Testing.Processes;
using MetaCluster.ServiceDefaults.Options;

namespace MetaCluster.Bench.Cli;

/// <summary>
/// <c>bench</c>: runs the selected benchmark suites one after the other, then writes
/// <c>bench.json</c> (machine and every figure) and <c>bench.md</c> (a table per suite) into
/// <c>--out</c> and prints the Markdown. A suite that fails is reported and the others still run;
/// the exit code is then 1.
/// </summary>
public static class BenchCommand
{
    /// <summary>Runs the verb; returns the exit code.</summary>
    public static async Task<int> RunAsync(BenchOptions options, IReadOnlyList<string> arguments, TextWriter output, CancellationToken cancellationToken)
    {
        if (options.RenderDirectory is { } render) return await RenderAsync(render, output, cancellationToken);
        var settings = options.Settings;
        Directory.CreateDirectory(settings.OutputDirectory);
        var started = DateTime.UtcNow;
        var loadBefore = MachineInfo.LoadAverage();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bench: suites {string.Join(", ", options.Suites.Select(s => s.Name))}; {Environment.ProcessorCount} cores, load average {string.Join(" ", loadBefore)}; results in {settings.OutputDirectory}"));

        var figures = new List<BenchFigure>();
        var errors = new List<BenchError>();
        foreach (var suite in options.Suites)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                figures.AddRange(await suite.RunAsync(settings, output, cancellationToken));
            }
            catch (Exception e) when (e is not (OperationCanceledException or UsageException))
            {
                output.WriteLine($"suite {suite.Name} failed: {e.Message}");
                errors.Add(new BenchError(suite.Name, e.Message));
            }
        }

        var document = new BenchDocument(
            "Coordinator bench " + string.Join(' ', arguments), started, DateTime.UtcNow, settings,
            MachineInfo.Describe(loadBefore, RepositoryLayout.FindRoot()),
            options.Suites.Select(s => new BenchSuiteRun(s.Name, s.Description)).ToArray(), figures, errors);
        string markdown = BenchMarkdown.Write(document);
        await File.WriteAllTextAsync(Path.Combine(settings.OutputDirectory, "bench.json"), document.ToJson() + "\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(settings.OutputDirectory, "bench.md"), markdown, cancellationToken);
        output.WriteLine();
        output.WriteLine(markdown);
        output.WriteLine($"wrote {Path.Combine(settings.OutputDirectory, "bench.json")} and bench.md");
        return errors.Count == 0 ? 0 : 1;
    }

    // bench.md is a view of bench.json: rewritten from it, the figures stay those measured.
    private static async Task<int> RenderAsync(string directory, TextWriter output, CancellationToken cancellationToken)
    {
        string json = Path.Combine(directory, "bench.json");
        BenchDocument document;
        try
        {
            document = BenchDocument.FromJson(await File.ReadAllTextAsync(json, cancellationToken))
                ?? throw new UsageException($"--render: {json} holds no benchmark document");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new UsageException($"--render: {json} is not a bench.json: {e.Message}");
        }
        string markdown = BenchMarkdown.Write(document);
        await File.WriteAllTextAsync(Path.Combine(directory, "bench.md"), markdown, cancellationToken);
        output.WriteLine(markdown);
        return 0;
    }
}
