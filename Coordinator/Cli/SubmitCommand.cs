using System.CommandLine;
using MetaCluster.Coordinator.Cli.Config;
using MetaCluster.Coordinator.Definitions;
using MetaCluster.Protos.Api.V1;
using MetaCluster.ServiceDefaults.Options;
using static MetaCluster.ServiceDefaults.Options.CheckedOptions;

namespace MetaCluster.Coordinator.Cli;

/// <summary>
/// <c>submit</c>: starts a run on a coordinator from the same options as <c>train</c> (and
/// <c>--config</c>) and prints its id. The definition is checked here with the same rules as the
/// server's, so a typo fails at once with train's message; data paths are the server's, so they are
/// not looked for on this machine.
/// </summary>
public sealed class SubmitCommand : IVerb
{
    private const string ChosenByCoordinator = "is not for submit: the coordinator chooses it (use watch --out DIR for a local copy)";

    private readonly ClusterClient client = new();
    private readonly RunDefinitionOptions definition = new();
    private readonly Option<string?> name = OptionalText("--name", "a human name for the run (at most 200 characters)", "NAME");
    private readonly Option<string[]> tags = Repeatable("--tag", "a tag to find the run by", "KEY=VALUE");
    private readonly Option<string?> requestId = OptionalText("--request-id", "the request's id: submitting the same id again returns the run it started", "ID", "a new UUID");

    /// <inheritdoc />
    public int Order => 40;

    /// <inheritdoc />
    public Command Create()
    {
        var command = new Command("submit", "start a run on a coordinator (--coordinator URL, train's options); prints its id");
        client.AddTo(command);
        definition.AddTo(command);
        foreach (var option in new Option[] { name, tags, requestId }) command.Options.Add(option);
        // train's options that only make sense in this process: named, so that the refusal says why.
        foreach (var valued in new[] { "--out", "--threads", "--metrics-port", "--data-plane" })
            command.Options.Add(new Option<string>(valued) { Hidden = true, Validators = { r => r.AddError($"{valued} {ChosenByCoordinator}") } });
        foreach (var flag in new[] { "--resume", "--trace-console", "--no-report" })
            command.Options.Add(new Option<bool>(flag) { Hidden = true, Validators = { r => { if (r.GetValueOrDefault<bool>()) r.AddError($"{flag} {ChosenByCoordinator}"); } } });
        tags.Validators.Add(r =>
        {
            foreach (var tag in r.GetValueOrDefault<string[]>() ?? [])
                if (tag.IndexOf('=', StringComparison.Ordinal) <= 0) r.AddError($"--tag must be KEY=VALUE; got '{tag}'");
        });
        command.SetAction(async result =>
        {
            var request = ToRequest(result);
            var (api, channel) = client.Connect(result);
            using (channel)
            {
                var response = await ClusterClient.CallAsync(() => api.StartRunAsync(request).ResponseAsync);
                result.InvocationConfiguration.Output.WriteLine(response.RunId);
            }
            return 0;
        });
        return command;
    }

    /// <summary>The API request for a <c>submit</c> command line (without the verb); throws <see cref="UsageException"/> naming the first bad option.</summary>
    public static StartRunRequest ToRequest(IEnumerable<string> args)
    {
        var submit = new SubmitCommand();
        return submit.ToRequest(CommandLineRunner.Parse(submit.Create(), [.. args], ConfigArguments.Complete));
    }

    private StartRunRequest ToRequest(ParseResult result)
    {
        var run = RunDefinitionOptions.Checked(definition.Read(result));
        var request = new StartRunRequest
        {
            Definition = ApiRunDefinitions.ToApi(run),
            // One id per invocation: the client's retries of this request start one run.
            RequestId = result.GetValue(requestId) ?? Guid.NewGuid().ToString("N"),
            Name = result.GetValue(name) ?? "",
        };
        foreach (var tag in result.GetValue(tags)!)
        {
            int at = tag.IndexOf('=', StringComparison.Ordinal);
            request.Tags[tag[..at]] = tag[(at + 1)..];
        }
        return request;
    }
}
