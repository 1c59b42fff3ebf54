namespace MetaCluster.Client;

/// <summary>
/// What defines a meta-training run: the options of <c>Coordinator train</c> (<c>--meta-batch</c> is
/// <see cref="MetaBatch"/>). Every property left null (or an empty list) takes train's default on the
/// coordinator, which checks the whole definition and answers INVALID_ARGUMENT naming the field.
/// Paths (<see cref="Data"/>, <see cref="EvalData"/>, <see cref="EvalClasses"/>) are as the coordinator
/// and its workers see them, inside its <c>--data-root</c> folders: the client does not look for them.
/// Build one with an object initializer and vary it with <c>with</c>:
/// <code>var options = new RunOptions { Task = TaskFamilies.Sinusoid, Algorithm = Algorithms.Maml, MetaSteps = 100 };</code>
/// </summary>
public sealed record RunOptions
{
    /// <summary>Task family: <c>sinusoid</c>, <c>harmonic</c>, <c>images</c> or <c>tabular</c> (<see cref="TaskFamilies"/>).</summary>
    public string? Task { get; init; }

    /// <summary><c>maml</c>, <c>fomaml</c>, <c>anil</c>, <c>foanil</c>, <c>metasgd</c>, <c>protonet</c>, <c>matchingnet</c>, <c>mtl</c> or <c>reptile</c> (<see cref="Algorithms"/>).</summary>
    public string? Algorithm { get; init; }

    /// <summary>Meta-training data (<c>--data</c>, repeatable): image folders or zips, or a folder of CSV files.</summary>
    public IReadOnlyList<string> Data { get; init; } = [];

    /// <summary>Held-out image data (<c>--eval-data</c>): its classes less any also in <see cref="Data"/>.</summary>
    public IReadOnlyList<string> EvalData { get; init; } = [];

    /// <summary>Held-out groups taken from <see cref="Data"/> (<c>--eval-groups</c>).</summary>
    public IReadOnlyList<string> EvalGroups { get; init; } = [];

    /// <summary>A file listing held-out classes (<c>--eval-classes</c>).</summary>
    public string? EvalClasses { get; init; }

    /// <summary>Tabular: the target column (<c>--target</c>; default the last).</summary>
    public string? Target { get; init; }

    /// <summary>Images: 90/180/270° rotations as new classes (<c>--rotations</c>).</summary>
    public bool? Rotations { get; init; }

    /// <summary>Classes per episode (<c>--ways</c>).</summary>
    public int? Ways { get; init; }

    /// <summary>Support examples per class (<c>--shots</c>).</summary>
    public int? Shots { get; init; }

    /// <summary>Query examples per class (<c>--query</c>).</summary>
    public int? Query { get; init; }

    /// <summary>Tasks per meta-step (<c>--meta-batch</c>).</summary>
    public int? MetaBatch { get; init; }

    /// <summary>Inner gradient steps during meta-training (<c>--inner-steps</c>).</summary>
    public int? InnerSteps { get; init; }

    /// <summary>Inner learning rate α (<c>--inner-lr</c>).</summary>
    public double? InnerLr { get; init; }

    /// <summary>Learning rate of the outer optimiser, Reptile's ε (<c>--outer-lr</c>; default 0.001, 1 for reptile with sgd).</summary>
    public double? OuterLr { get; init; }

    /// <summary><c>adam</c> or <c>sgd</c> (<c>--outer-optimizer</c>; default sgd for reptile, adam otherwise).</summary>
    public string? OuterOptimizer { get; init; }

    /// <summary><c>constant</c> or <c>cosine</c> (<c>--lr-schedule</c>).</summary>
    public string? LrSchedule { get; init; }

    /// <summary>Where the cosine schedule ends (<c>--min-outer-lr</c>).</summary>
    public double? MinOuterLr { get; init; }

    /// <summary>Meta-steps of linear warm-up of the outer learning rate (<c>--warmup-steps</c>).</summary>
    public int? WarmupSteps { get; init; }

    /// <summary>Largest global L2 norm of the outer gradient; 0 switches clipping off (<c>--clip-grad-norm</c>).</summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>Outer weight decay: decoupled (AdamW) with adam, L2 with sgd (<c>--weight-decay</c>).</summary>
    public double? WeightDecay { get; init; }

    /// <summary>Meta-updates (<c>--meta-steps</c>).</summary>
    public int? MetaSteps { get; init; }

    /// <summary>Held-out tasks of the final evaluation; 0 skips it (<c>--eval-tasks</c>).</summary>
    public int? EvalTasks { get; init; }

    /// <summary>Inner steps after which the evaluation metric is reported (<c>--eval-inner-steps</c>).</summary>
    public IReadOnlyList<int> EvalInnerSteps { get; init; } = [];

    /// <summary>Query examples per evaluation task (<c>--eval-query</c>).</summary>
    public int? EvalQuery { get; init; }

    /// <summary>Workers the run asks for (<c>--workers</c>).</summary>
    public int? Workers { get; init; }

    /// <summary>Shards per meta-batch (<c>--shards</c>).</summary>
    public int? Shards { get; init; }

    /// <summary><c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (<c>--device</c>).</summary>
    public string? Device { get; init; }

    /// <summary>Run seed (<c>--seed</c>): initial parameters and every task derive from it.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Meta-steps between lines of metrics.jsonl (<c>--log-every</c>).</summary>
    public int? LogEvery { get; init; }

    /// <summary>Seconds before a shard is reassigned to another worker (<c>--shard-timeout</c>).</summary>
    public double? ShardTimeout { get; init; }

    /// <summary>Meta-steps between checkpoints; 0 keeps only the final one (<c>--checkpoint-every</c>).</summary>
    public int? CheckpointEvery { get; init; }

    /// <summary>TRLearner's weight λ; 0 switches it off (<c>--tr-lambda</c>).</summary>
    public double? TrLambda { get; init; }

    /// <summary>TRLearner: heads of the similarity layer (<c>--tr-heads</c>).</summary>
    public int? TrHeads { get; init; }

    /// <summary>TRLearner: temperature of the relation softmax (<c>--tr-tau</c>).</summary>
    public double? TrTau { get; init; }

    /// <summary>TRLearner: meta-data samples per task (<c>--tr-meta-data</c>).</summary>
    public int? TrMetaData { get; init; }

    /// <summary>TRLearner: <c>hardest</c> or <c>random</c> (<c>--tr-sampler</c>).</summary>
    public string? TrSampler { get; init; }

    /// <summary>Element type of the outer gradients: <c>f32</c>, <c>bf16</c> or <c>f16</c> (<c>--grad-dtype</c>).</summary>
    public string? GradDtype { get; init; }

    /// <summary><c>fused</c> or <c>autograd</c> (<c>--kernels</c>).</summary>
    public string? Kernels { get; init; }

    /// <summary>Shards pre-reduced in one worker process (<c>--reduce-group</c>).</summary>
    public int? ReduceGroup { get; init; }

    /// <summary>Fan-in of the reduction tree over worker processes (<c>--reduce-tree</c>).</summary>
    public int? ReduceTree { get; init; }

    /// <summary>Meta-steps between validations on the validation split; 0: none (<c>--val-every</c>).</summary>
    public int? ValEvery { get; init; }

    /// <summary>Validation tasks, the same at every validation (<c>--val-tasks</c>).</summary>
    public int? ValTasks { get; init; }

    /// <summary>Inner steps after which the validation metric is taken (<c>--val-inner-steps</c>).</summary>
    public int? ValInnerSteps { get; init; }

    /// <summary>Images and tabular: share of the meta-training classes or files held out for validation (<c>--val-fraction</c>).</summary>
    public double? ValFraction { get; init; }

    /// <summary>Images: a file listing the validation classes (<c>--val-classes</c>).</summary>
    public string? ValClasses { get; init; }

    /// <summary>Validations in a row without improvement that end the run; 0: never (<c>--early-stop</c>).</summary>
    public int? EarlyStop { get; init; }

    /// <summary>Whether the run directory gets TensorBoard event files (<c>--tensorboard</c>).</summary>
    public bool? Tensorboard { get; init; }
    /// <summary>Images: resized to this many pixels square (<c>--image-size</c>; default 28).</summary>
    public int? ImageSize { get; init; }

    /// <summary>Images: 1 (grayscale) or 3 (RGB) channels (<c>--channels</c>; default 1).</summary>
    public int? Channels { get; init; }

    /// <summary>Images: store 1 − value (<c>--invert</c>; default true, Omniglot's dark strokes on white).</summary>
    public bool? Invert { get; init; }

    /// <summary>Tabular: the column naming each row's task in one table (<c>--task-column</c>; default one file per task).</summary>
    public string? TaskColumn { get; init; }

    /// <summary>Tabular: <c>comma</c>, <c>semicolon</c>, <c>tab</c>, <c>pipe</c> or <c>auto</c> (<c>--separator</c>; default comma).</summary>
    public string? Separator { get; init; }

    /// <summary>Tabular: missing values are an <c>error</c>, <c>drop-row</c> or <c>mean</c> (<c>--na</c>; default error).</summary>
    public string? Na { get; init; }

    /// <summary>MAML++ (maml, fomaml): the multi-step loss (<c>--multi-step-loss</c>).</summary>
    public bool? MultiStepLoss { get; init; }

    /// <summary>MAML++ (maml, fomaml): learned per-layer per-step inner rates (<c>--learned-inner-lr</c>).</summary>
    public bool? LearnedInnerLr { get; init; }
}
