namespace MetaCluster.Coordinator.Cli.Config;

/// <summary>
/// How a config file wrote a scalar. JSON says its type; a YAML scalar without quotes
/// (<see cref="Plain"/>) takes the type the option needs, where its text fits it (YAML 1.2's core
/// schema: <c>true</c>/<c>false</c>, numbers), and quoted YAML is text.
/// </summary>
public enum ScalarKind
{
    /// <summary>A JSON string or a quoted YAML scalar.</summary>
    Text,
    /// <summary>A JSON number.</summary>
    Number,
    /// <summary>JSON true or false.</summary>
    Boolean,
    /// <summary>JSON null, YAML <c>~</c>, <c>null</c> or nothing: the option keeps its default.</summary>
    Null,
    /// <summary>A YAML scalar without quotes.</summary>
    Plain,
}

/// <summary>A value in a config file: a scalar, or a list of scalars.</summary>
public abstract record ConfigValue;

/// <summary>One scalar, as written.</summary>
public sealed record ConfigScalar(string Text, ScalarKind Kind) : ConfigValue;

/// <summary>A list of scalars (<c>data: [a, b]</c>, <c>eval_inner_steps: [1, 10]</c>).</summary>
public sealed record ConfigList(IReadOnlyList<ConfigScalar> Items) : ConfigValue;

/// <summary>A key of a config file and its value.</summary>
public sealed record ConfigEntry(string Key, ConfigValue Value);
