namespace MetaCluster.Coordinator.Definitions;

/// <summary>
/// A run definition that cannot work, found before anything starts: one line naming the field
/// (<see cref="Field"/>, the option's name as the command line spells it without dashes, e.g.
/// <c>meta-batch</c>). The CLI turns it into exit code 2, the API into INVALID_ARGUMENT.
/// </summary>
public sealed class InvalidRunDefinitionException(string fieldName, string message) : Exception(message)
{
    /// <summary>The field at fault.</summary>
    public string Field => fieldName;
}

/// <summary>How a caller spells field names in messages: <c>--meta-batch</c> on the command line, <c>definition.meta_batch</c> over the API.</summary>
public sealed record FieldNames(Func<string, string> Name)
{
    /// <summary>Command-line flags.</summary>
    public static FieldNames CommandLine { get; } = new(f => "--" + f);

    /// <summary>Fields of the API's <c>RunDefinition</c> message inside <c>StartRunRequest</c>.</summary>
    public static FieldNames Api { get; } = new(f => "definition." + f.Replace('-', '_'));

    /// <summary>The name of <paramref name="field"/>.</summary>
    public string this[string field] => Name(field);
}
