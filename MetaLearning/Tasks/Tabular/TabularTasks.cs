using System.Collections.Concurrent;
using MetaCluster.Learning.Models;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Tasks.Tabular;

/// <summary>
/// Tasks from tabular data, one CSV file per task (e.g. one assay or one patient): features then a
/// target column. A task key (seed, stream, step, index) picks, through <see cref="TaskRandom"/>,
/// which file (training files for <see cref="TaskStream.Train"/>, held-out files for
/// <see cref="TaskStream.Evaluation"/>, validation files, held out of the training files, for
/// <see cref="TaskStream.Validation"/>) and then which rows form the support and query sets.
/// Features are standardised with <see cref="FeatureStatistics"/> of the training files only.
/// <para>
/// Regression: Shots support and Query query rows, distinct, targets [T, N, 1] as in the file.
/// Classification: the distinct target values of all files are the classes (the model has one
/// output per class); an episode picks Ways of the file's classes that have at least Shots + Query
/// rows, in ascending class order, labels them 0..Ways−1 (so with Ways equal to the number of
/// classes every label keeps its meaning), and takes Shots support and Query query rows per class.
/// Every file of a stream is checked against an episode shape the first time that shape is asked
/// for, so a file too small for it is reported at once, not when chance first draws it.
/// </para>
/// Model: MLP features-64-64-outputs.
/// </summary>
public sealed class TabularTasks : ITaskFamily
{
    private readonly IReadOnlyList<TabularTask> training;
    private readonly IReadOnlyList<TabularTask> evaluation;
    private readonly IReadOnlyList<TabularTask> validation;
    private readonly double[] classes;
    private readonly Dictionary<TabularTask, List<int>[]> rowsByClass = [];
    private readonly ConcurrentDictionary<(TaskStream, EpisodeShape), bool> checkedShapes = new();

    /// <summary>
    /// A family over already-read tasks. <paramref name="statistics"/> standardise the features of
    /// both sets (compute them from <paramref name="training"/> with
    /// <see cref="FeatureStatistics.FromTasks"/>, or reuse a training run's). For classification,
    /// <paramref name="classValues"/> are the target values of the classes, in label order (null:
    /// the distinct targets of every set). <paramref name="validation"/> are the validation files (none when null).
    /// </summary>
    public TabularTasks(IReadOnlyList<TabularTask> training, IReadOnlyList<TabularTask> evaluation, FeatureStatistics statistics,
        TaskKind kind, IReadOnlyList<double>? classValues = null, IReadOnlyList<TabularTask>? validation = null)
    {
        if (training.Count == 0) throw new ArgumentException("a tabular family needs at least one training file");
        validation ??= [];
        var reference = training[0];
        var every = training.Concat(validation).Concat(evaluation).ToArray();
        foreach (var task in every)
        {
            if (!task.FeatureNames.SequenceEqual(reference.FeatureNames) || task.TargetName != reference.TargetName)
                throw new InvalidDataException($"{task.Name}:1: columns ({string.Join(", ", task.FeatureNames)} → {task.TargetName}) differ from {reference.Name}'s ({string.Join(", ", reference.FeatureNames)} → {reference.TargetName})");
        }
        if (statistics.Count != reference.FeatureNames.Count)
            throw new ArgumentException($"feature statistics cover {statistics.Count} features, but the files have {reference.FeatureNames.Count}");
        this.training = training;
        this.evaluation = evaluation;
        this.validation = validation;
        Statistics = statistics;
        Kind = kind;
        classes = kind == TaskKind.Classification
            ? (classValues ?? every.SelectMany(t => t.Targets).Distinct().Order().ToArray()).ToArray()
            : [];
        if (kind == TaskKind.Classification && classes.Length < 2)
            throw new InvalidDataException($"classification needs at least 2 classes, but target '{reference.TargetName}' has {classes.Length} value(s)");
        if (kind == TaskKind.Classification)
            foreach (var task in every) rowsByClass[task] = GroupByClass(task);
    }

    /// <inheritdoc/>
    public TaskKind Kind { get; }

    /// <summary>The standardisation of the features (from the training files).</summary>
    public FeatureStatistics Statistics { get; }

    /// <summary>The training tasks (files).</summary>
    public IReadOnlyList<TabularTask> TrainingTasks => training;

    /// <summary>The held-out tasks (files) that evaluation draws from.</summary>
    public IReadOnlyList<TabularTask> EvaluationTasks => evaluation;

    /// <summary>The validation tasks (files held out of the training files); empty without a validation split.</summary>
    public IReadOnlyList<TabularTask> ValidationTasks => validation;

    /// <summary>The target value of each class, in label order; empty for regression.</summary>
    public IReadOnlyList<double> ClassValues => classes;

    /// <summary>
    /// Reads tabular data (<see cref="TabularSources.Read"/>: per-task files, or tables with a task
    /// column) and standardises the features with statistics of the training tasks.
    /// </summary>
    public static TabularTasks Load(string path, TabularOptions? options = null)
    {
        options ??= new TabularOptions();
        var (train, test) = TabularSources.Read(path, options);
        var kind = options.Kind ?? Detect(train.Concat(test), options.MaxDetectedClasses);
        // Validation files leave the training files before the feature statistics are taken: they are held out.
        var held = options.ValidationFraction > 0 ? ValidationSplit.Pick(train.Length, options.ValidationFraction, "CSV file(s)") : new bool[train.Length];
        var fit = train.Where((_, i) => !held[i]).ToArray();
        return new TabularTasks(fit, test, FeatureStatistics.FromTasks(fit), kind, validation: train.Where((_, i) => held[i]).ToArray());
    }

    /// <summary>Classification when every target is an integer and there are few distinct values.</summary>
    public static TaskKind Detect(IEnumerable<TabularTask> tasks, int maxClasses)
    {
        var values = new HashSet<double>();
        foreach (double y in tasks.SelectMany(t => t.Targets))
        {
            if (y != Math.Floor(y)) return TaskKind.Regression;
            values.Add(y);
            if (values.Count > maxClasses) return TaskKind.Regression;
        }
        return values.Count >= 2 ? TaskKind.Classification : TaskKind.Regression;
    }

    /// <inheritdoc/>
    public IFunctionalModel CreateModel() =>
        new Mlp(Statistics.Count, 64, 64, Kind == TaskKind.Classification ? classes.Length : 1);

    /// <inheritdoc/>
    public TaskBatch Sample(ulong seed, TaskStream stream, long step, IReadOnlyList<long> taskIndices, EpisodeShape shape)
    {
        var pool = Pool(stream);
        Check(stream, shape, pool);
        int t = taskIndices.Count, d = Statistics.Count;
        int ways = Kind == TaskKind.Classification ? shape.Ways : 1;
        int supportCount = ways * shape.Shots, queryCount = ways * shape.Query;
        var sx = new float[t * supportCount * d]; var qx = new float[t * queryCount * d];
        var sy = new double[t * supportCount]; var qy = new double[t * queryCount];
        for (int i = 0; i < t; i++)
        {
            var random = new TaskRandom(seed, (ulong)stream, step, taskIndices[i]);
            var task = pool[random.NextInt(pool.Count)];
            var episode = Kind == TaskKind.Classification
                ? ClassificationEpisode(task, shape, random)
                : RegressionEpisode(task, shape, random);
            Fill(task, episode.Support, episode.SupportTargets, sx, sy, i * supportCount);
            Fill(task, episode.Query, episode.QueryTargets, qx, qy, i * queryCount);
        }
        var supportX = tensor(sx, [t, supportCount, d]);
        var queryX = tensor(qx, [t, queryCount, d]);
        return Kind == TaskKind.Classification
            ? new TaskBatch(Kind, supportX, tensor(sy.Select(v => (long)v).ToArray(), [t, supportCount]), queryX, tensor(qy.Select(v => (long)v).ToArray(), [t, queryCount]))
            : new TaskBatch(Kind, supportX, tensor(sy.Select(v => (float)v).ToArray(), [t, supportCount, 1]), queryX, tensor(qy.Select(v => (float)v).ToArray(), [t, queryCount, 1]));
    }

    // The rows of one episode and their targets: file values (regression) or labels 0..Ways−1.
    private sealed record EpisodeRows(int[] Support, double[] SupportTargets, int[] Query, double[] QueryTargets);

    private IReadOnlyList<TabularTask> Pool(TaskStream stream)
    {
        var (pool, name) = stream switch
        {
            TaskStream.Train => (training, "training"),
            TaskStream.Validation => (validation, "validation"),
            _ => (evaluation, "held-out"),
        };
        if (pool.Count == 0) throw new InvalidOperationException($"tabular: no {name} CSV files for the {stream} stream");
        return pool;
    }

    private void Check(TaskStream stream, EpisodeShape shape, IReadOnlyList<TabularTask> pool)
    {
        if (checkedShapes.ContainsKey((stream, shape))) return;
        if (shape.Shots < 1 || shape.Query < 1) throw new ArgumentException($"tabular episodes need at least one shot and one query row, got {shape.Shots} and {shape.Query}");
        int needed = shape.Shots + shape.Query;
        foreach (var task in pool)
        {
            if (Kind == TaskKind.Regression)
            {
                if (task.Count < needed)
                    throw new InvalidDataException($"{task.Name}: has {task.Count} rows; an episode needs {needed} ({shape.Shots} support + {shape.Query} query)");
                continue;
            }
            if (shape.Ways < 2 || shape.Ways > classes.Length)
                throw new ArgumentException($"tabular classification: {shape.Ways}-way episodes, but the target has {classes.Length} classes");
            int eligible = rowsByClass[task].Count(rows => rows.Count >= needed);
            if (eligible < shape.Ways)
                throw new InvalidDataException($"{task.Name}: only {eligible} class(es) have at least {needed} rows ({shape.Shots} shots + {shape.Query} query); a {shape.Ways}-way episode needs {shape.Ways}");
        }
        checkedShapes.TryAdd((stream, shape), true);
    }

    private static EpisodeRows RegressionEpisode(TabularTask task, EpisodeShape shape, TaskRandom random)
    {
        var rows = random.Choose(task.Count, shape.Shots + shape.Query);
        int[] support = rows[..shape.Shots], query = rows[shape.Shots..];
        return new EpisodeRows(support, support.Select(r => task.Targets[r]).ToArray(), query, query.Select(r => task.Targets[r]).ToArray());
    }

    private EpisodeRows ClassificationEpisode(TabularTask task, EpisodeShape shape, TaskRandom random)
    {
        int needed = shape.Shots + shape.Query;
        var byClass = rowsByClass[task];
        var eligible = Enumerable.Range(0, classes.Length).Where(c => byClass[c].Count >= needed).ToArray();
        // Ascending class order, so label k is the k-th smallest picked class.
        var picked = random.Choose(eligible.Length, shape.Ways).Select(k => eligible[k]).Order().ToArray();
        var support = new List<int>(); var query = new List<int>();
        var supportLabels = new List<double>(); var queryLabels = new List<double>();
        for (int label = 0; label < picked.Length; label++)
        {
            var rows = random.Choose(byClass[picked[label]].Count, needed).Select(k => byClass[picked[label]][k]).ToArray();
            support.AddRange(rows[..shape.Shots]);
            query.AddRange(rows[shape.Shots..]);
            supportLabels.AddRange(Enumerable.Repeat((double)label, shape.Shots));
            queryLabels.AddRange(Enumerable.Repeat((double)label, shape.Query));
        }
        return new EpisodeRows(support.ToArray(), supportLabels.ToArray(), query.ToArray(), queryLabels.ToArray());
    }

    private void Fill(TabularTask task, int[] rows, double[] targets, float[] x, double[] y, int offset)
    {
        int d = Statistics.Count;
        for (int n = 0; n < rows.Length; n++)
        {
            var features = task.Features[rows[n]];
            for (int j = 0; j < d; j++) x[(offset + n) * d + j] = (float)Statistics.Standardise(j, features[j]);
            y[offset + n] = targets[n];
        }
    }

    private List<int>[] GroupByClass(TabularTask task)
    {
        var byClass = Enumerable.Range(0, classes.Length).Select(_ => new List<int>()).ToArray();
        for (int r = 0; r < task.Count; r++)
        {
            int c = Array.IndexOf(classes, task.Targets[r]);
            if (c < 0) throw new InvalidDataException($"{task.Name}: the target of data row {r + 1} is not one of the {classes.Length} training classes"); // cell values are not echoed
            byClass[c].Add(r);
        }
        return byClass;
    }
}
