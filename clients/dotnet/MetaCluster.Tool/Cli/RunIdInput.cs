using System.CommandLine;

namespace MetaCluster.Tool.Cli;

/// <summary>A verb's run id: <c>metacluster watch RUN</c> or, as the Coordinator's verbs take it, <c>--run RUN</c>.</summary>
public sealed class RunIdInput
{
    private readonly Argument<string?> argument = new("run") { Description = "The run id (as submit printed it)", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string?> option = new("--run") { Description = "The run id (instead of the argument)", HelpName = "RUN" };

    /// <summary>Adds the argument and the option to <paramref name="command"/>.</summary>
    public RunIdInput AddTo(Command command)
    {
        command.Add(argument);
        command.Add(option);
        return this;
    }

    /// <summary>The run id given, exactly once.</summary>
    public string Read(ParseResult parse)
    {
        string? positional = parse.GetValue(argument), named = parse.GetValue(option);
        if (positional is not null && named is not null && positional != named)
            throw new UsageException($"two run ids: '{positional}' and --run '{named}'");
        string? id = positional ?? named;
        return string.IsNullOrWhiteSpace(id) ? throw new UsageException("a run id is required: RUN or --run RUN") : id;
    }
}
