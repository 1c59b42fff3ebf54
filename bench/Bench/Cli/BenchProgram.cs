using MetaCluster.ServiceDefaults.Options;

namespace MetaCluster.Bench.Cli;

/// <summary>The benchmark tool's command line: the suites' options, one-line errors and exit code 2 for bad input.</summary>
public static class BenchProgram
{
    /// <summary>Runs the tool; returns the exit code (0 every suite ran, 1 a suite failed, 2 bad input).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors)
    {
        if (args.Length > 0 && args[0] is "--help" or "-h" or "help")
        {
            output.WriteLine("usage: Bench [options]\n\n" + BenchOptions.Usage + "\n\nsuites and their own options:\n" + BenchOptions.SuiteUsage());
            return 0;
        }
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await BenchCommand.RunAsync(BenchOptions.Parse(args), args, output, cancel.Token);
        }
        catch (UsageException e)
        {
            errors.WriteLine($"error: {e.Message}");
            return 2;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
