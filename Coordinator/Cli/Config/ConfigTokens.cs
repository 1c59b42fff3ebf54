using System.CommandLine;
using System.Globalization;
using MetaCluster.ServiceDefaults.Options;

namespace MetaCluster.Coordinator.Cli.Config;

/// <summary>
/// Turns a config file's value into the tokens a user would type for the option
/// (<c>--meta-batch=16</c>, <c>--data=a --data=b</c>, <c>--eval-inner-steps=1,10</c>), after checking
/// that the file wrote the kind of value the option takes: <c>"resume": "yes"</c> or
/// <c>"meta_steps": "10"</c> is an error naming the key, not a guess. The option's own parser then
/// checks the value as it checks a flag.
/// </summary>
public static class ConfigTokens
{
    /// <summary>The tokens for <paramref name="value"/>; <paramref name="where"/> names the file and key in errors.</summary>
    public static IEnumerable<string> For(Option option, ConfigValue value, string where)
    {
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        if (value is ConfigScalar { Kind: ScalarKind.Null }) return [];
        if (type == typeof(string[]))
        {
            var items = Items(value).Select(item => Text(item, where)).ToArray();
            if (items.Length == 0) return [];
            // Repeatable options take one value per flag; the others one comma-separated value.
            return option.Arity.MaximumNumberOfValues > 1 ? items.Select(item => Token(option, item)) : [Token(option, string.Join(',', items))];
        }
        if (type == typeof(IntegerList))
        {
            // "1,10" as on the command line, or a list of numbers.
            if (value is ConfigScalar { Kind: ScalarKind.Text or ScalarKind.Plain } list) return [Token(option, list.Text)];
            return [Token(option, string.Join(',', Items(value).Select(item => Number(item, where))))];
        }
        var scalar = value as ConfigScalar ?? throw new UsageException($"{where} takes one value, got a list");
        if (type == typeof(bool)) return [Token(option, Boolean(scalar, where))];
        if (type == typeof(int) || type == typeof(ulong) || type == typeof(double)) return [Token(option, Number(scalar, where))];
        if (type == typeof(string)) return [Token(option, Text(scalar, where))];
        throw new InvalidOperationException($"a config file cannot set {option.Name} ({type.Name})");
    }

    private static string Token(Option option, string value) => $"{option.Name}={value}";

    private static IEnumerable<ConfigScalar> Items(ConfigValue value) => value switch
    {
        ConfigList list => list.Items.Where(i => i.Kind != ScalarKind.Null),
        ConfigScalar scalar => [scalar],
        _ => [],
    };

    private static string Boolean(ConfigScalar scalar, string where) => scalar switch
    {
        { Kind: ScalarKind.Boolean } => scalar.Text,
        { Kind: ScalarKind.Plain, Text: "true" or "True" or "TRUE" } => "true",
        { Kind: ScalarKind.Plain, Text: "false" or "False" or "FALSE" } => "false",
        _ => throw new UsageException($"{where} must be true or false, got {Shown(scalar)}"),
    };

    private static string Number(ConfigScalar scalar, string where) =>
        scalar.Kind == ScalarKind.Number
        || (scalar.Kind == ScalarKind.Plain && double.TryParse(scalar.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            ? scalar.Text
            : throw new UsageException($"{where} must be a number, got {Shown(scalar)}");

    private static string Text(ConfigScalar scalar, string where) =>
        scalar.Kind is ScalarKind.Text or ScalarKind.Plain ? scalar.Text : throw new UsageException($"{where} must be a text (in quotes), got {Shown(scalar)}");

    private static string Shown(ConfigScalar scalar) => scalar.Kind == ScalarKind.Text ? $"\"{scalar.Text}\"" : scalar.Text;
}
