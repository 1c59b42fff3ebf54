using MetaCluster.Learning.Tasks.Tabular;

namespace MetaCluster.Learning.Tasks;

/// <summary>Creates task families by their command-line names.</summary>
public static class TaskFamilyCatalog
{
    /// <summary>The names accepted by <c>--task</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sinusoid", "harmonic", "tabular"];

    /// <summary>
    /// The family called <paramref name="name"/>. Families read from disk (tabular: a directory of
    /// per-task CSV files, see <see cref="TabularTasks.Load"/>) need <paramref name="dataPath"/>.
    /// </summary>
    public static ITaskFamily Create(string name, string? dataPath = null) => name switch
    {
        "sinusoid" => new SinusoidTasks(),
        "harmonic" => new HarmonicTasks(),
        "tabular" => TabularTasks.Load(dataPath ?? throw new ArgumentException("task family 'tabular' needs a data directory of per-task CSV files")),
        _ => throw new ArgumentException($"unknown task family '{name}' (expected one of: {string.Join(", ", Names)})"),
    };
}
