namespace MetaCluster.Coordinator.Cli;

/// <summary>The Coordinator executable's verbs.</summary>
public static class CommandLine
{
    private const string Usage = """
        usage: Coordinator VERB [options]

        verbs:
          train    meta-train in an embedded single-node cluster, then evaluate (see README for options)
          help     show this text

        train options:
          --task sinusoid            --algorithm maml|fomaml     --shots K --query Q --ways N
          --meta-batch T             --inner-steps k             --inner-lr a --outer-lr b
          --meta-steps S             --eval-tasks E              --eval-inner-steps k1,k2,...
          --eval-query Q             --workers W                 --shards N (default: W)
          --device cpu               --seed S                    --out DIR
          --log-every N              --threads N                 --shard-timeout SECONDS
          --config FILE (JSON object of the options above; flags override it)
        """;

    /// <summary>Runs a verb and returns the process exit code: 0 success, 1 run failure, 2 bad input.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? errors = null)
    {
        output ??= Console.Out;
        errors ??= Console.Error;
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            output.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            return args[0] switch
            {
                "train" => await TrainCommand.RunAsync(TrainOptions.Parse(args[1..]), output, cancel.Token),
                _ => throw new UsageException($"unknown verb '{args[0]}' (available: train, help)"),
            };
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
