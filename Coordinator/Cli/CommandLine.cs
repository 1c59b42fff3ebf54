using MetaCluster.ServiceDefaults.Options;
namespace MetaCluster.Coordinator.Cli;

/// <summary>The Coordinator executable's verbs.</summary>
public static class CommandLine
{
    private const string Usage = """
        usage: Coordinator VERB [options]

        verbs:
          train    meta-train in an embedded single-node cluster, then evaluate (see README for options)
          eval     evaluate a checkpoint (--run DIR | --checkpoint FILE) on sampled tasks or --episodes DIR; writes eval.json
          serve    run a long-lived coordinator that TaskWorker processes join (--redis HOST:PORT --api URL)
          submit   start a run on a coordinator (--coordinator URL [train options]); prints its id
          watch    stream a run's progress (--coordinator URL --run ID [--out DIR])
          stop     stop a run (--coordinator URL --run ID)
          runs     list a coordinator's runs (--coordinator URL)
          workers  list a coordinator's live workers (--coordinator URL)
          report   write plots and report.md for a run directory (--run DIR)
          help     show this text

        train options:
          --task sinusoid            --algorithm maml|fomaml     --shots K --query Q --ways N
          --meta-batch T             --inner-steps k             --inner-lr a --outer-lr b
          --meta-steps S             --eval-tasks E              --eval-inner-steps k1,k2,...
          --eval-query Q             --workers W                 --shards N (default: W)
          --device cpu               --seed S                    --out DIR
          --log-every N              --threads N                 --shard-timeout SECONDS
          --checkpoint-every N       --resume (continue the run in --out from its newest checkpoint)
          --grad-dtype f32|bf16|f16 (outer gradients on the wire; parameters stay float32)
          --kernels fused|autograd (fused: hand-written MAML/FOMAML kernels for MLPs on the CPU)
          --metrics-port P (Prometheus /metrics on 127.0.0.1:P)  --trace-console (print spans)
          --no-report (skip the plots and report.md at the end)
          --data-plane in-process|grpc (workers reach the coordinator's data plane in memory, the
                                        default, or over gRPC on loopback as between processes)
          --config FILE (JSON object of the options above; flags override it)

        """;

    private static async Task<int> ServeAsync(ServeOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var app = Hosting.CoordinatorServer.Build(options);
        await app.StartAsync(cancellationToken);
        output.WriteLine($"coordinator serving on {options.Api} (data plane {options.DataPlaneUrl}, state {options.StateDirectory})");
        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }

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
                "eval" => EvalCommand.Run(args[1..], output),
                "serve" => await ServeAsync(ServeOptions.Parse(args[1..]), output, cancel.Token),
                "submit" => await ClientCommands.SubmitAsync(args[1..], output),
                "watch" => await ClientCommands.WatchAsync(args[1..], output, cancel.Token),
                "stop" => await ClientCommands.StopAsync(args[1..], output),
                "runs" => await ClientCommands.ListAsync(args[1..], output),
                "workers" => await ClientCommands.WorkersAsync(args[1..], output),
                "report" => ReportCommand.Run(args[1..], output),
                _ => throw new UsageException($"unknown verb '{args[0]}' (available: train, eval, serve, submit, watch, stop, runs, workers, report, help)"),
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
