using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Images;

/// <summary>
/// N-way K-shot Q-query image classification episodes. Every episode is a pure function of
/// (seed, stream, step, task index) through <see cref="TaskRandom"/>: N distinct classes, then
/// K + Q distinct images of each, the first K as support and the rest as query; the class drawn
/// w-th gets label w, and since the draw is an ordered random subset the labels are a random
/// permutation of the classes. Meta-training tasks (<see cref="TaskStream.Train"/>) come from the
/// training classes, validation tasks (<see cref="TaskStream.Validation"/>) from the validation
/// classes when the family has them, and evaluation tasks from the held-out evaluation classes.
/// Inputs are float32 [T, N·K, C, H, W] and [T, N·Q, C, H, W]; targets int64 [T, N·K] and [T, N·Q],
/// ordered by label.
/// </summary>
public sealed class ImageTasks : ITaskFamily
{
    private readonly EpisodeClass[] trainPool;
    private readonly EpisodeClass[] evaluationPool;
    private readonly EpisodeClass[]? validationPool;

    /// <summary>
    /// Episodes from <paramref name="train"/> (meta-training), <paramref name="evaluation"/> (evaluation;
    /// the training classes when null) and <paramref name="validation"/> (validation; none when null:
    /// then validation episodes are an error).
    /// </summary>
    public ImageTasks(ImageDataset train, ImageDataset? evaluation = null, ImageTaskOptions? options = null, ImageDataset? validation = null)
    {
        Options = options ?? new ImageTaskOptions();
        if (Options.Ways < 1) throw new ArgumentException($"ways must be at least 1, not {Options.Ways}");
        evaluation ??= train;
        if (train.Format != evaluation.Format) throw new ArgumentException("the training and evaluation classes are stored in different formats");
        if (Options.Rotations && train.Format.Width != train.Format.Height)
            throw new ArgumentException($"rotation augmentation needs square images, not {train.Format.Width}x{train.Format.Height}");
        Format = train.Format;
        Train = train;
        Evaluation = evaluation;
        if (validation is not null && validation.Format != train.Format) throw new ArgumentException("the training and validation classes are stored in different formats");
        Validation = validation;
        trainPool = PoolOf(train);
        evaluationPool = PoolOf(evaluation);
        validationPool = validation is null ? null : PoolOf(validation);
    }

    /// <summary>Loads the sources, applies the split and builds the family.</summary>
    public static ImageTasks Load(ImageTaskSettings settings)
    {
        var all = ImageDataset.Load(settings.Sources, settings.Format);
        var (train, evaluation) = ImageSplit.Apply(all, settings.Train, settings.Evaluation);
        return new ImageTasks(train, evaluation, settings.Options);
    }

    /// <summary>Episode and model options.</summary>
    public ImageTaskOptions Options { get; }

    /// <summary>How images are stored and fed to the model.</summary>
    public ImageFormat Format { get; }

    /// <summary>The meta-training classes.</summary>
    public ImageDataset Train { get; }

    /// <summary>The held-out classes of the evaluation stream.</summary>
    public ImageDataset Evaluation { get; }

    /// <summary>The validation classes (held out of the training data), or null when the family has none.</summary>
    public ImageDataset? Validation { get; }

    /// <inheritdoc/>
    public TaskKind Kind => TaskKind.Classification;

    /// <inheritdoc/>
    public IFunctionalModel CreateModel() =>
        new Cnn4(Options.Ways, Format.Channels, Format.Height, Format.Width, Options.HiddenChannels);

    /// <summary>The classes episodes of <paramref name="stream"/> draw from, rotations included, in a fixed order.</summary>
    public IReadOnlyList<EpisodeClass> Pool(TaskStream stream) => stream switch
    {
        TaskStream.Train => trainPool,
        TaskStream.Validation => validationPool ?? throw new ArgumentException("validation episodes need a validation split of the training classes (--val-fraction or --val-classes with --val-every)"),
        _ => evaluationPool,
    };

    /// <summary>The classes and images of one episode.</summary>
    public EpisodePlan Plan(ulong seed, TaskStream stream, long step, long taskIndex, EpisodeShape shape)
    {
        var pool = Pool(stream);
        Check(pool, stream, shape);
        return PlanChecked(pool, seed, stream, step, taskIndex, shape);
    }

    private static EpisodePlan PlanChecked(IReadOnlyList<EpisodeClass> pool, ulong seed, TaskStream stream, long step, long taskIndex, EpisodeShape shape)
    {
        var random = new TaskRandom(seed, (ulong)stream, step, taskIndex);
        var classes = random.Choose(pool.Count, shape.Ways);
        var support = new int[shape.Ways][];
        var query = new int[shape.Ways][];
        for (int w = 0; w < shape.Ways; w++)
        {
            var images = random.Choose(pool[classes[w]].Source.Count, shape.Shots + shape.Query);
            support[w] = images[..shape.Shots];
            query[w] = images[shape.Shots..];
        }
        return new EpisodePlan(classes, support, query);
    }

    /// <inheritdoc/>
    public TaskBatch Sample(ulong seed, TaskStream stream, long step, IReadOnlyList<long> taskIndices, EpisodeShape shape)
    {
        var pool = Pool(stream);
        Check(pool, stream, shape);
        int t = taskIndices.Count, n = shape.Ways, k = shape.Shots, q = shape.Query, pixels = Format.PixelsPerImage;
        var supportX = new float[(long)t * n * k * pixels];
        var queryX = new float[(long)t * n * q * pixels];
        var supportY = new long[t * n * k];
        var queryY = new long[t * n * q];
        for (int i = 0; i < t; i++)
        {
            var plan = PlanChecked(pool, seed, stream, step, taskIndices[i], shape);
            for (int w = 0; w < n; w++)
            {
                var episodeClass = pool[plan.Classes[w]];
                Fill(episodeClass, plan.Support[w], supportX, supportY, (i * n + w) * k, w);
                Fill(episodeClass, plan.Query[w], queryX, queryY, (i * n + w) * q, w);
            }
        }
        long[] Shape(int perTask) => [t, perTask, Format.Channels, Format.Height, Format.Width];
        return new TaskBatch(TaskKind.Classification,
            tensor(supportX, Shape(n * k)), tensor(supportY, [t, n * k]),
            tensor(queryX, Shape(n * q)), tensor(queryY, [t, n * q]));
    }

    private void Fill(EpisodeClass episodeClass, int[] images, float[] x, long[] y, int first, int label)
    {
        int pixels = Format.PixelsPerImage;
        for (int j = 0; j < images.Length; j++)
        {
            ImageRotation.CopyRotated(episodeClass.Source.Image(images[j]), Format, episodeClass.QuarterTurns,
                x.AsSpan((first + j) * pixels, pixels));
            y[first + j] = label;
        }
    }

    // Checked on every call (cheap next to building the tensors) so a bad shape fails the same
    // way on every worker, naming the first class that cannot supply it.
    private static void Check(IReadOnlyList<EpisodeClass> pool, TaskStream stream, EpisodeShape shape)
    {
        if (shape.Ways < 1 || shape.Shots < 1 || shape.Query < 1)
            throw new ArgumentException($"an image episode needs at least 1 way, 1 shot and 1 query image per class, not {shape}");
        var split = stream switch { TaskStream.Train => "meta-training", TaskStream.Validation => "validation", _ => "evaluation" };
        if (shape.Ways > pool.Count)
            throw new ArgumentException($"{shape.Ways}-way episodes need {shape.Ways} classes, but the {split} split has {pool.Count}");
        int needed = shape.Shots + shape.Query;
        foreach (var c in pool)
            if (c.Source.Count < needed)
                throw new InvalidDataException(
                    $"class '{c.Source.Key}' has {c.Source.Count} images, fewer than the {needed} that {shape.Shots}-shot {shape.Query}-query episodes need");
    }

    private EpisodeClass[] PoolOf(ImageDataset dataset)
    {
        if (dataset.Classes.Count == 0) throw new ArgumentException("an image task family needs at least one class");
        int turns = Options.Rotations ? 4 : 1;
        return dataset.Classes.SelectMany(c => Enumerable.Range(0, turns).Select(r => new EpisodeClass(c, r))).ToArray();
    }
}
