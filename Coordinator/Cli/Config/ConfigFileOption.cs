using System.CommandLine;
using System.Text;

namespace MetaCluster.Coordinator.Cli.Config;

/// <summary>
/// <c>--config FILE</c>: a JSON or YAML file whose keys are the command's long option names
/// (<c>meta-batch</c>), written with dashes, underscores or in camelCase (<c>meta_batch</c>,
/// <c>metaBatch</c>), as a run's own run.json writes its fields. <see cref="ConfigArguments"/> adds its
/// values to the command line where the flags leave them unset.
/// </summary>
public sealed class ConfigFileOption : Option<string?>
{
    private readonly IReadOnlyDictionary<string, string?> fieldOptions;

    /// <summary>
    /// Creates the option; <paramref name="fieldOptions"/> maps field names (dashed) that differ from
    /// an option's name to that option's name, or to null for a recorded field that no option sets
    /// (it is read and skipped).
    /// </summary>
    public ConfigFileOption(string description, IReadOnlyDictionary<string, string?> fieldOptions) : base("--config")
    {
        Description = description;
        HelpName = "FILE";
        this.fieldOptions = fieldOptions;
    }

    /// <summary>
    /// The option of <paramref name="command"/> that <paramref name="key"/> sets; null with
    /// <paramref name="skipped"/> false when there is none, null with <paramref name="skipped"/> true for a
    /// recorded field that no option sets.
    /// </summary>
    public Option? OptionFor(Command command, string key, out bool skipped)
    {
        string name = Dashed(key);
        skipped = false;
        if (fieldOptions.TryGetValue(name, out var mapped))
        {
            if (mapped is null)
            {
                skipped = true;
                return null;
            }
            name = mapped;
        }
        return command.Options.FirstOrDefault(o => o.Name == "--" + name && o is not ConfigFileOption);
    }

    // meta_batch, metaBatch and MetaBatch are all meta-batch.
    private static string Dashed(string key)
    {
        var name = new StringBuilder(key.Length + 4);
        for (int i = 0; i < key.Length; i++)
        {
            char c = key[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(key[i - 1]) || char.IsDigit(key[i - 1]))) name.Append('-');
            name.Append(c == '_' ? '-' : char.ToLowerInvariant(c));
        }
        return name.ToString();
    }
}
