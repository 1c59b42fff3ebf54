using MetaCluster.Tool.Cli;

// metacluster VERB [options]: a client of a running coordinator (see README.md).
return await ToolCli.RunAsync(args, new ToolContext(Console.Out, Console.Error, Environment.GetEnvironmentVariable));
