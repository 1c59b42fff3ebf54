using System.Collections.Concurrent;
using MetaCluster.Learning.Images;
using MetaCluster.Learning.Tasks.Tabular;

namespace MetaCluster.Learning.Tasks;

/// <summary>Creates task families by their command-line names.</summary>
public static class TaskFamilyCatalog
{
    // Decoding an image set is the expensive part: each process does it once per set of sources.
    private static readonly ConcurrentDictionary<string, Lazy<ImageDataset>> ImageSets = new();

    /// <summary>The names accepted by <c>--task</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sinusoid", "harmonic", "images", "tabular"];

    /// <summary>Whether the family reads files (and so needs <c>--data</c>).</summary>
    public static bool ReadsData(string name) => name is "images" or "tabular";

    /// <summary>The family called <paramref name="name"/>; families that read files take their sources from <paramref name="data"/>.</summary>
    public static ITaskFamily Create(string name, TaskDataOptions? data = null) => name switch
    {
        "sinusoid" => new SinusoidTasks(),
        "harmonic" => new HarmonicTasks(),
        "tabular" => TabularTasks.Load(
            Single(data, "tabular", "a directory of per-task CSV files, or a table with --task-column"),
            new TabularOptions(TargetName: data!.Target, TaskColumn: data.TaskColumn, Format: data.TableFormat, ValidationFraction: data.ValidationFraction)),
        "images" => CreateImages(data ?? throw Needs("images", "image folders or zips")),
        _ => throw new ArgumentException($"unknown task family '{name}' (expected one of: {string.Join(", ", Names)})"),
    };

    /// <summary>The family called <paramref name="name"/> with image settings given directly.</summary>
    public static ITaskFamily Create(string name, ImageTaskSettings images) =>
        name == "images" ? ImageTasks.Load(images) : Create(name);

    /// <summary>
    /// Images: meta-training classes from <c>--data</c>; held-out classes from <c>--eval-data</c>
    /// (less any class also in <c>--data</c>, so two sets sharing alphabets stay disjoint), or
    /// else the <c>--eval-groups</c>/<c>--eval-classes</c> of <c>--data</c>, or else its last
    /// fifth of groups by name. A validation split, when asked for, is then taken out of the
    /// meta-training classes (<see cref="SplitValidation"/>), so it is disjoint from both.
    /// </summary>
    private static ImageTasks CreateImages(TaskDataOptions data)
    {
        if (data.Data.Count == 0) throw Needs("images", "image folders or zips");
        var options = new ImageTaskOptions(Ways: data.Ways, Rotations: data.Rotations);
        var all = Load(data.Data, data.ImageFormat);
        ImageDataset train, held;
        if (data.EvalData.Count > 0)
        {
            (train, held) = (all, Load(data.EvalData, data.ImageFormat).Except(all));
            if (held.Classes.Count == 0) throw new ArgumentException("--eval-data holds no class that is not also in --data");
        }
        else
        {
            ImageSelection evaluation = data.EvalClassList is not null ? ImageSelection.FromClassList(data.EvalClassList)
                : data.EvalGroups.Count > 0 ? ImageSelection.ByGroups(data.EvalGroups)
                : ImageSelection.ByGroups(DefaultHeldOutGroups(all.Groups));
            (train, held) = ImageSplit.Apply(all, null, evaluation);
        }
        var validation = SplitValidation(train, data);
        return validation is null ? new ImageTasks(train, held, options) : new ImageTasks(train.Except(validation), held, options, validation);
    }

    /// <summary>
    /// The validation classes taken out of the meta-training classes <paramref name="train"/>: those
    /// listed in <c>--val-classes</c>, or the <see cref="ValidationSplit"/> of <c>--val-fraction</c>;
    /// null when the run asks for none.
    /// </summary>
    public static ImageDataset? SplitValidation(ImageDataset train, TaskDataOptions data)
    {
        if (data.ValidationClassList is { } list) return ImageSelection.FromClassList(list).Apply(train);
        if (data.ValidationFraction <= 0) return null;
        var picked = ValidationSplit.Pick(train.Classes.Count, data.ValidationFraction, "class(es)");
        return train.WithClasses(train.Classes.Where((_, i) => picked[i]).Select(c => c.Key));
    }

    private static IReadOnlyList<string> DefaultHeldOutGroups(IReadOnlyList<string> groups)
    {
        if (groups.Count < 2) throw new ArgumentException("one group only: give --eval-data, --eval-groups or --eval-classes for held-out classes");
        var sorted = groups.Order(StringComparer.Ordinal).ToArray();
        return sorted[^Math.Max(1, sorted.Length / 5)..];
    }

    private static ImageDataset Load(IReadOnlyList<string> sources, ImageFormat format)
    {
        format.Validate();
        string key = format + "\n" + string.Join('\n', sources.Select(Path.GetFullPath));
        return ImageSets.GetOrAdd(key, _ => new Lazy<ImageDataset>(() => ImageDataset.Load(sources, format))).Value;
    }

    private static string Single(TaskDataOptions? data, string family, string what) =>
        data is { Data.Count: 1 } ? data.Data[0] : throw Needs(family, what);

    private static ArgumentException Needs(string family, string what) =>
        new($"task family '{family}' reads data: give --data with {what}");
}
