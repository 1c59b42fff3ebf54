using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;

namespace MetaCluster.ServiceDefaults.Options;

/// <summary>
/// Parses and runs a command line with this project's conventions: help (<c>--help</c>, <c>-h</c>) and
/// <c>--version</c> from the library, exit code 0 for success, 1 for a run that fails, and 2 for bad
/// input, which is one line <c>error: …</c> on the error writer naming the option, before anything
/// starts. Ctrl+C cancels the action's token; SIGTERM is left to the hosts, which drain on it.
/// </summary>
public static class CommandLineRunner
{
    /// <summary>
    /// Parses <paramref name="args"/>; when they select a command's own action (not help or version),
    /// <paramref name="complete"/> may parse them again with more (a config file's values).
    /// Throws <see cref="UsageException"/> with the one line for the first problem.
    /// </summary>
    public static ParseResult Parse(Command command, IReadOnlyList<string> args, Func<ParseResult, IReadOnlyList<string>, ParseResult>? complete = null)
    {
        var result = command.Parse(args);
        if (result.Errors.Count > 0) throw new UsageException(ParseErrors.Describe(result));
        if (complete is null || !ReferenceEquals(result.Action, result.CommandResult.Command.Action)) return result;
        result = complete(result, args);
        return result.Errors.Count > 0 ? throw new UsageException(ParseErrors.Describe(result)) : result;
    }

    /// <summary>Parses and invokes <paramref name="root"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(RootCommand root, IReadOnlyList<string> args, TextWriter output, TextWriter errors,
        Func<ParseResult, IReadOnlyList<string>, ParseResult>? complete = null)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            // Help wraps at the terminal's width on the console, and not at all into a file or a test's writer.
            if (!ReferenceEquals(output, Console.Out) && root.Options.OfType<HelpOption>().FirstOrDefault()?.Action is HelpAction help)
                help.MaxWidth = int.MaxValue;
            var result = Parse(root, args, complete);
            var invocation = new InvocationConfiguration
            {
                Output = output,
                Error = errors,
                // Exceptions keep their stack trace (a bug is not bad input); UsageException is caught below.
                EnableDefaultExceptionHandler = false,
                // The library would end the process 2 s after SIGTERM; a draining worker needs longer.
                ProcessTerminationTimeout = null,
            };
            return await result.InvokeAsync(invocation, cancel.Token);
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

    /// <summary>
    /// Makes <paramref name="root"/> print its help and exit with code 2 when no verb is given:
    /// a bare invocation is a mistake, not a request for help.
    /// </summary>
    public static void HelpWithoutVerb(RootCommand root)
    {
        var help = (SynchronousCommandLineAction)root.Options.OfType<HelpOption>().Single().Action!;
        root.SetAction(result =>
        {
            help.Invoke(result);
            return 2;
        });
    }

    /// <summary>
    /// Makes <c>--version</c> print the informational version of <paramref name="assembly"/> (the
    /// executable's, whoever hosts the command: a test runner too).
    /// </summary>
    public static void VersionOf(RootCommand root, Assembly assembly)
    {
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        root.Options.OfType<VersionOption>().Single().Action = new PrintVersion(version);
    }

    private sealed class PrintVersion(string version) : SynchronousCommandLineAction
    {
        // As help does: --version answers even where a required option is missing.
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(version);
            return 0;
        }
    }
}
