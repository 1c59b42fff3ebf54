using System.CommandLine;
using MetaCluster.ServiceDefaults.Options;

namespace MetaCluster.Coordinator.Cli.Config;

/// <summary>
/// Completes a parsed command line with its config file: reads the file named by the command's
/// <see cref="ConfigFileOption"/>, matches every key to an option (an unknown key is an error naming
/// the file and the key), leaves out the options the command line gives (flags override the file),
/// and parses the line again with the file's values as tokens, so they meet the same parsers and
/// checks as flags. An error in a value names the file and the key.
/// </summary>
public static class ConfigArguments
{
    /// <summary>The parse of <paramref name="args"/> with the config file's values added; <paramref name="parsed"/> itself when there is no file.</summary>
    public static ParseResult Complete(ParseResult parsed, IReadOnlyList<string> args)
    {
        var command = parsed.CommandResult.Command;
        var config = command.Options.OfType<ConfigFileOption>().FirstOrDefault();
        if (config is null || parsed.GetValue(config) is not { } path) return parsed;

        var tokens = new List<string>();
        var keys = new Dictionary<Option, string>();
        foreach (var (key, value) in ConfigFile.Read(path))
        {
            var option = config.OptionFor(command, key, out bool skipped);
            if (skipped) continue;
            if (option is null) throw new UsageException($"--config {path}: unknown option '{key}'");
            if (!keys.TryAdd(option, key)) throw new UsageException($"--config {path}: '{key}' sets {option.Name} again ('{keys[option]}' set it)");
            if (parsed.GetResult(option) is { Implicit: false }) continue;
            tokens.AddRange(ConfigTokens.For(option, value, $"--config {path}: '{key}'"));
        }

        // The file's values alone first, so that a bad one is reported as the file's.
        foreach (var error in command.Parse(tokens).Errors)
            if (ParseErrors.OptionOf(error) is { } option && keys.TryGetValue(option, out var key))
                throw new UsageException($"--config {path}: '{key}': {ParseErrors.Describe(error)}");
        return parsed.RootCommandResult.Command.Parse([.. args, .. tokens]);
    }
}
