using System.CommandLine;
using MetaCluster.ServiceDefaults.Options;

namespace MetaCluster.Bench.Cli;

/// <summary>The benchmark tool's command line: the suites' options, <c>--help</c>, one-line errors and exit code 2 for bad input.</summary>
public static class BenchProgram
{
    /// <summary>Runs the tool; returns the exit code (0 every suite ran, 1 a suite failed, 2 bad input).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors)
    {
        var definitions = new BenchOptions.Definitions();
        var root = new RootCommand("The benchmark tool: runs the selected suites and writes bench.json and bench.md. Suites: "
            + string.Join("; ", BenchSuiteCatalog.All.Select(s => $"{s.Name}: {s.Description}")))
        {
            HelpName = "Bench",
        };
        definitions.AddTo(root);
        CommandLineRunner.VersionOf(root, typeof(BenchProgram).Assembly);
        root.SetAction((result, cancellationToken) => BenchCommand.RunAsync(definitions.Read(result), args, result.InvocationConfiguration.Output, cancellationToken));
        return CommandLineRunner.RunAsync(root, args, output, errors);
    }
}
