namespace MetaCluster.Bench;

/// <summary>
/// A group of measurements the <c>bench</c> verb can run (<c>--suite NAME</c>). A suite returns
/// its figures; the verb adds the machine description and writes <c>bench.json</c> and
/// <c>bench.md</c>.
/// </summary>
public interface IBenchSuite
{
    /// <summary>The name given to <c>--suite</c>.</summary>
    string Name { get; }

    /// <summary>One line for the verb's usage text.</summary>
    string Description { get; }

    /// <summary>Runs every measurement of the suite, printing progress lines to <paramref name="progress"/>.</summary>
    Task<IReadOnlyList<BenchFigure>> RunAsync(BenchSettings settings, TextWriter progress, CancellationToken cancellationToken);

    /// <summary>
    /// The suite's own <c>--name value</c> options (reaching it through <see cref="BenchSettings.Options"/>);
    /// the verb rejects an option that no selected suite declares.
    /// </summary>
    IReadOnlyList<BenchOption> SuiteOptions => [];

    /// <summary>
    /// Checks <paramref name="settings"/> before any suite runs, so a bad value fails at once;
    /// throws <see cref="MetaCluster.ServiceDefaults.Options.UsageException"/> naming the option.
    /// </summary>
    void Validate(BenchSettings settings)
    {
    }
}

/// <summary>A suite-specific option of the <c>bench</c> verb: its name (without dashes) and one line for the usage text.</summary>
public sealed record BenchOption(string Name, string Description);

/// <summary>
/// Settings shared by all suites. <see cref="Quick"/> shrinks every suite to a few seconds (used by
/// the smoke test); <see cref="Options"/> holds suite-specific <c>--key value</c> options, read by
/// the suite that understands them.
/// </summary>
public sealed record BenchSettings(
    int Warmup,
    int Repetitions,
    int Threads,
    bool Quick,
    string OutputDirectory,
    IReadOnlyDictionary<string, string> Options);
