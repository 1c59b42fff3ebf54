using System.CommandLine;
using MetaCluster.Coordinator.Cli.Config;
using MetaCluster.ServiceDefaults.Options;

namespace MetaCluster.Coordinator.Cli;

/// <summary>
/// The Coordinator executable's command line: every <see cref="IVerb"/> of this assembly under one
/// root, with <c>--help</c> on each (generated from the option definitions) and <c>--version</c>.
/// Exit codes: 0 success, 1 a run that fails, 2 bad input (one line naming it, nothing started).
/// </summary>
public static class CommandLine
{
    /// <summary>The root command with every verb.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("The meta-training cluster's coordinator: meta-train and evaluate in this process, serve a cluster, or drive one.")
        {
            HelpName = "Coordinator",
        };
        var verbs = typeof(CommandLine).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IVerb).IsAssignableFrom(t))
            .Select(t => (IVerb)Activator.CreateInstance(t)!)
            .OrderBy(v => v.Order).ThenBy(v => v.GetType().Name, StringComparer.Ordinal);
        foreach (var verb in verbs) root.Subcommands.Add(verb.Create());
        CommandLineRunner.HelpWithoutVerb(root);
        CommandLineRunner.VersionOf(root, typeof(CommandLine).Assembly);
        return root;
    }

    /// <summary>Runs a verb and returns the process exit code: 0 success, 1 run failure, 2 bad input.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? errors = null) =>
        CommandLineRunner.RunAsync(Create(), args, output ?? Console.Out, errors ?? Console.Error, ConfigArguments.Complete);
}
