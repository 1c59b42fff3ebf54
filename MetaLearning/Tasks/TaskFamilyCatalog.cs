namespace MetaCluster.Learning.Tasks;

/// <summary>Creates task families by their command-line names.</summary>
public static class TaskFamilyCatalog
{
    /// <summary>The names accepted by <c>--task</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sinusoid"];

    /// <summary>The family called <paramref name="name"/>.</summary>
    public static ITaskFamily Create(string name) => name switch
    {
        "sinusoid" => new SinusoidTasks(),
        _ => throw new ArgumentException($"unknown task family '{name}' (expected one of: {string.Join(", ", Names)})"),
    };
}
