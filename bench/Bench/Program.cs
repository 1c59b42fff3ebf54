using MetaCluster.Bench.Cli;
using MetaCluster.Bench.Simulated;
using MetaCluster.ServiceDefaults.Hosting;

// `Bench load …` is the capacity suite's simulated-worker process (this same program, started by
// the suite); anything else is the benchmark verb's options.
NativeMemoryTuning.Apply();
if (args.Length > 0 && args[0] == "load")
    return await LoadProcess.RunAsync(LoadArguments.Parse(args[1..]), Console.In, Console.Out);
return await BenchProgram.RunAsync(args, Console.Out, Console.Error);
