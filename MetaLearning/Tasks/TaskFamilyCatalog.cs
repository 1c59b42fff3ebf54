using MetaCluster.Learning.Images;

namespace MetaCluster.Learning.Tasks;

/// <summary>Creates task families by their command-line names.</summary>
public static class TaskFamilyCatalog
{
    /// <summary>The names accepted by <c>--task</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sinusoid", "images"];

    /// <summary>The data-free family called <paramref name="name"/>.</summary>
    public static ITaskFamily Create(string name) => name switch
    {
        "sinusoid" => new SinusoidTasks(),
        "images" => throw new ArgumentException("task family 'images' reads data: give its sources and split (ImageTaskSettings)"),
        _ => throw Unknown(name),
    };

    /// <summary>
    /// The family called <paramref name="name"/>, with data settings for the families that read
    /// files ("images" loads and decodes its sources here, once per process).
    /// </summary>
    public static ITaskFamily Create(string name, ImageTaskSettings? images) => name switch
    {
        "images" => ImageTasks.Load(images ?? throw new ArgumentException("task family 'images' reads data: give its sources and split (ImageTaskSettings)")),
        _ when Names.Contains(name) => Create(name),
        _ => throw Unknown(name),
    };

    private static ArgumentException Unknown(string name) =>
        new($"unknown task family '{name}' (expected one of: {string.Join(", ", Names)})");
}
