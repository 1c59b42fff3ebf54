using MetaCluster.SimulatedWorkers;

// Usage: SimulatedWorkers --url URL --run ID --workers W --elements P [--dtype f32|bf16|f16] [--fetch-every K] [--reduce-group K]
// Then, per line on stdin, "step N" runs step N on every worker and answers "done N ..." (or
// "error N ..."); "exit" or end of input stops.
return await LoadProcess.RunAsync(LoadArguments.Parse(args), Console.In, Console.Out);
