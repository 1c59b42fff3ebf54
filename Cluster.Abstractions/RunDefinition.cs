namespace MetaCluster.Abstractions;

/// <summary>Everything that defines a meta-training run; the same whether it runs embedded or in a cluster.</summary>
[GenerateSerializer, Immutable, Alias("MetaCluster.RunDefinition")]
public sealed record RunDefinition
{
    [Id(0)] public string Task { get; init; } = "sinusoid";
    [Id(1)] public string Algorithm { get; init; } = "maml";
    [Id(2)] public int Ways { get; init; } = 1;
    [Id(3)] public int Shots { get; init; } = 5;
    [Id(4)] public int Query { get; init; } = 10;
    [Id(5)] public int MetaBatch { get; init; } = 25;
    [Id(6)] public int InnerSteps { get; init; } = 1;
    [Id(7)] public double InnerLr { get; init; } = 0.01;
    [Id(8)] public double OuterLr { get; init; } = 0.001;
    [Id(9)] public int MetaSteps { get; init; } = 2000;
    [Id(10)] public int EvalTasks { get; init; } = 600;
    [Id(11)] public int[] EvalInnerSteps { get; init; } = [1, 10];
    [Id(12)] public int EvalQuery { get; init; }
    [Id(13)] public ulong Seed { get; init; }
    /// <summary>Shards per meta-batch; results are identical for a given value however shards are spread.</summary>
    [Id(14)] public int Shards { get; init; } = 1;
    [Id(15)] public int Workers { get; init; } = 1;
    [Id(16)] public string Device { get; init; } = "cpu";
    [Id(17)] public string? OutputDirectory { get; init; }
    [Id(18)] public int LogEvery { get; init; } = 10;
    /// <summary>Evaluation tasks per evaluation shard.</summary>
    [Id(19)] public int EvalShardTasks { get; init; } = 100;
    /// <summary>A shard not done in this time is reassigned.</summary>
    [Id(20)] public double ShardTimeoutSeconds { get; init; } = 600;
    /// <summary>Meta-steps between checkpoints (0: only the final one).</summary>
    [Id(21)] public int CheckpointEvery { get; init; } = 100;
    /// <summary>Continue from the newest checkpoint in the output directory, if there is one.</summary>
    [Id(22)] public bool Resume { get; init; }
    [Id(23)] public string[] Data { get; init; } = [];
    [Id(24)] public string[] EvalData { get; init; } = [];
    [Id(25)] public string[] EvalGroups { get; init; } = [];
    [Id(26)] public string? EvalClasses { get; init; }
    [Id(27)] public string? Target { get; init; }
    [Id(28)] public bool Rotations { get; init; }
    /// <summary>TRLearner's weight λ; 0 switches it off (the one-phase step).</summary>
    [Id(29)] public double TrLambda { get; init; }
    /// <summary>TRLearner: heads H of the similarity layer.</summary>
    [Id(30)] public int TrHeads { get; init; } = 4;
    /// <summary>TRLearner: temperature τ of the relation softmax.</summary>
    [Id(31)] public double TrTau { get; init; } = 0.5;
    /// <summary>TRLearner: meta-data samples m per task.</summary>
    [Id(32)] public int TrMetaData { get; init; } = 5;
    /// <summary>TRLearner: how meta-data are chosen, hardest or random.</summary>
    [Id(33)] public string TrSampler { get; init; } = "hardest";
    /// <summary>Element type of the outer gradients on the wire: f32, bf16 or f16 (parameters stay float32).</summary>
    [Id(34)] public string GradDtype { get; init; } = "f32";
    /// <summary>fused: algorithms use their hand-written kernels where they have one; autograd: never.</summary>
    [Id(35)] public string Kernels { get; init; } = "fused";
    /// <summary>
    /// Shards per pre-reduction group: each k consecutive shards of a training step run on one
    /// worker process, which sends their gradients summed (in shard order) as one. 1: every shard
    /// sends its own. Results are identical for given (shards, k) however groups are spread.
    /// </summary>
    [Id(36)] public int ReduceGroup { get; init; } = 1;
    /// <summary>
    /// Fan-in of the reduction tree: each f consecutive groups form a super-group whose groups run on
    /// (up to) f worker processes and meet at the first one's relay, which sends the coordinator one
    /// gradient and fetches θ from it once for all f. 1: groups go straight to the coordinator.
    /// </summary>
    [Id(37)] public int ReduceTree { get; init; } = 1;
    // The experiment workflow's fields are numbered from 80, as in the API's RunDefinition.
    /// <summary>Meta-steps between validations of θ on the validation split (and at the last step); 0: no validation.</summary>
    [Id(80)] public int ValEvery { get; init; }
    /// <summary>Validation tasks scored at each validation (the same tasks every time).</summary>
    [Id(81)] public int ValTasks { get; init; } = 100;
    /// <summary>Inner steps after which the validation metric is taken; null: the largest of <see cref="EvalInnerSteps"/>.</summary>
    [Id(82)] public int? ValInnerSteps { get; init; }
    /// <summary>Images and tabular, with validation on: the share of the meta-training classes or files held out as the validation split.</summary>
    [Id(83)] public double ValFraction { get; init; } = 0.1;
    /// <summary>Images, with validation on: a file listing the validation classes (group/class per line), instead of <see cref="ValFraction"/>.</summary>
    [Id(84)] public string? ValClasses { get; init; }
    /// <summary>Ends the run after this many validations in a row without improvement; 0: never.</summary>
    [Id(85)] public int EarlyStop { get; init; }
    /// <summary>Writes TensorBoard event files under tensorboard/ in the run directory.</summary>
    [Id(86)] public bool Tensorboard { get; init; } = true;
    /// <summary>
    /// The outer optimiser: adam or sgd. The command line and the API resolve an unset one to sgd
    /// for reptile (the paper's θ ← θ + ε(θ̃ − θ)) and adam otherwise; this record's default is adam.
    /// </summary>
    [Id(38)] public string OuterOptimizer { get; init; } = "adam";
    /// <summary>The outer learning rate over the run: constant, or cosine (to <see cref="MinOuterLr"/> at the last meta-step).</summary>
    [Id(39)] public string LrSchedule { get; init; } = "constant";
    /// <summary>Where the cosine schedule ends (0 by default); only with the cosine schedule.</summary>
    [Id(40)] public double MinOuterLr { get; init; }
    /// <summary>Meta-steps of linear warm-up of the outer learning rate (0: none).</summary>
    [Id(41)] public int WarmupSteps { get; init; }
    /// <summary>Largest global L2 norm of the outer gradient; a larger one is scaled down to it (0: no clipping).</summary>
    [Id(42)] public double ClipGradNorm { get; init; }
    /// <summary>Weight decay of the outer optimiser: decoupled (AdamW) for adam, L2 for sgd (0: none).</summary>
    [Id(43)] public double WeightDecay { get; init; }
    /// <summary>Images: every image is resized to this many pixels square (Omniglot: 28; mini-ImageNet: 84).</summary>
    [Id(60)] public int ImageSize { get; init; } = 28;
    /// <summary>Images: 1 (grayscale, ITU-R 601 luma) or 3 (RGB) channels.</summary>
    [Id(61)] public int Channels { get; init; } = 1;
    /// <summary>Images: store 1 − value, so dark strokes on white paper become 1.0 on 0.0 (Omniglot's default).</summary>
    [Id(62)] public bool Invert { get; init; } = true;
    /// <summary>Tabular: the column naming each row's task (one table holding many tasks); null: one file per task.</summary>
    [Id(63)] public string? TaskColumn { get; init; }
    /// <summary>Tabular: the field separator, comma, semicolon, tab, pipe or auto (detected from the header).</summary>
    [Id(64)] public string Separator { get; init; } = "comma";
    /// <summary>Tabular: missing values (empty, NA, N/A, null, NaN) are an error, drop their row, or become the task's column mean.</summary>
    [Id(65)] public string Na { get; init; } = "error";
    /// <summary>MAML++ (maml, fomaml): the outer loss is the mean of the query losses after every inner step.</summary>
    [Id(66)] public bool MultiStepLoss { get; init; }
    /// <summary>MAML++ (maml, fomaml): one inner rate per layer entry per inner step, learned in the outer loop (starting at the inner rate).</summary>
    [Id(67)] public bool LearnedInnerLr { get; init; }
}
