using System.CommandLine;
using MetaCluster.Client;
using MetaCluster.Tool.Cli;

namespace MetaCluster.Tool.Verbs;

/// <summary>
/// submit's run-definition options, named as <c>Coordinator train</c>'s (see its <c>--help</c> and
/// the README's table for defaults). An option not given stays unset, and the coordinator applies
/// train's default; the coordinator checks values and data paths (they are its paths, not this machine's).
/// </summary>
public sealed class RunDefinitionOptions
{
    private readonly Option<string?> task = Text("task", "Task family: sinusoid, harmonic, images, tabular [sinusoid]", "FAMILY");
    private readonly Option<string?> algorithm = Text("algorithm", "maml, fomaml, anil, foanil, metasgd, protonet, matchingnet, mtl, reptile [maml]", "NAME");
    private readonly Option<string[]> data = new("--data") { Description = "Meta-training data on the coordinator (repeatable): image folders or zips, a folder of CSV files", HelpName = "PATH" };
    private readonly Option<string[]> evalData = new("--eval-data") { Description = "Held-out image data on the coordinator (repeatable)", HelpName = "PATH" };
    private readonly Option<string[]> evalGroups = NumberOptions.Words("eval-groups", "Held-out groups taken from --data");
    private readonly Option<string?> evalClasses = Text("eval-classes", "A file on the coordinator listing held-out classes", "FILE");
    private readonly Option<string?> target = Text("target", "Tabular: the target column [last]", "NAME");
    private readonly Option<bool> rotations = new("--rotations") { Description = "Images: 90/180/270° rotations as new classes" };
    private readonly Option<int?> ways = NumberOptions.Single<int>("ways", "Classes per episode [5 for images, else 1]");
    private readonly Option<int?> shots = NumberOptions.Single<int>("shots", "Support examples per class [5]");
    private readonly Option<int?> query = NumberOptions.Single<int>("query", "Query examples per class [10]");
    private readonly Option<int?> metaBatch = NumberOptions.Single<int>("meta-batch", "Tasks per meta-step [25]");
    private readonly Option<int?> innerSteps = NumberOptions.Single<int>("inner-steps", "Inner gradient steps during meta-training [1]");
    private readonly Option<double?> innerLr = NumberOptions.Single<double>("inner-lr", "Inner learning rate α [0.01]");
    private readonly Option<double?> outerLr = NumberOptions.Single<double>("outer-lr", "Learning rate of the outer optimiser, Reptile's ε [0.001; 1 for reptile with sgd]");
    private readonly Option<string?> outerOptimizer = Text("outer-optimizer", "adam or sgd [sgd for reptile, else adam]", "NAME");
    private readonly Option<string?> lrSchedule = Text("lr-schedule", "Outer learning rate over the run: constant or cosine [constant]", "NAME");
    private readonly Option<double?> minOuterLr = NumberOptions.Single<double>("min-outer-lr", "Where the cosine schedule ends [0]");
    private readonly Option<int?> warmupSteps = NumberOptions.Single<int>("warmup-steps", "Meta-steps of linear warm-up of the outer learning rate [0]");
    private readonly Option<double?> clipGradNorm = NumberOptions.Single<double>("clip-grad-norm", "Largest global L2 norm of the outer gradient; 0: off [0]");
    private readonly Option<double?> weightDecay = NumberOptions.Single<double>("weight-decay", "Outer weight decay: decoupled with adam, L2 with sgd [0]");
    private readonly Option<int?> metaSteps = NumberOptions.Single<int>("meta-steps", "Meta-updates [2000]");
    private readonly Option<int?> evalTasks = NumberOptions.Single<int>("eval-tasks", "Held-out tasks of the final evaluation; 0 skips it [600]");
    private readonly Option<int[]> evalInnerSteps = NumberOptions.List<int>("eval-inner-steps", "Inner steps after which the evaluation metric is reported [1,10]");
    private readonly Option<int?> evalQuery = NumberOptions.Single<int>("eval-query", "Query examples per evaluation task [--query]");
    private readonly Option<int?> workers = NumberOptions.Single<int>("workers", "Workers the run asks for [2]");
    private readonly Option<int?> shards = NumberOptions.Single<int>("shards", "Shards per meta-batch [workers]");
    private readonly Option<string?> device = Text("device", "cpu, cuda or cuda:N [cpu]", "DEVICE");
    private readonly Option<ulong?> seed = NumberOptions.Single<ulong>("seed", "Run seed [0]");
    private readonly Option<int?> logEvery = NumberOptions.Single<int>("log-every", "Meta-steps between lines of metrics.jsonl [10]");
    private readonly Option<double?> shardTimeout = NumberOptions.Single<double>("shard-timeout", "Seconds before a shard is reassigned [600]");
    private readonly Option<int?> checkpointEvery = NumberOptions.Single<int>("checkpoint-every", "Meta-steps between checkpoints; 0: only the final one [100]");
    private readonly Option<double?> trLambda = NumberOptions.Single<double>("tr-lambda", "TRLearner's weight λ; 0 switches it off [0]");
    private readonly Option<int?> trHeads = NumberOptions.Single<int>("tr-heads", "TRLearner: heads of the similarity layer [4]");
    private readonly Option<double?> trTau = NumberOptions.Single<double>("tr-tau", "TRLearner: temperature of the relation softmax [0.5]");
    private readonly Option<int?> trMetaData = NumberOptions.Single<int>("tr-meta-data", "TRLearner: meta-data samples per task [5]");
    private readonly Option<string?> trSampler = Text("tr-sampler", "TRLearner: hardest or random [hardest]", "NAME");
    private readonly Option<string?> gradDtype = Text("grad-dtype", "Element type of the outer gradients: f32, bf16, f16 [f32]", "TYPE");
    private readonly Option<string?> kernels = Text("kernels", "fused or autograd [fused]", "NAME");
    private readonly Option<int?> reduceGroup = NumberOptions.Single<int>("reduce-group", "Shards pre-reduced in one worker process [1]");
    private readonly Option<int?> reduceTree = NumberOptions.Single<int>("reduce-tree", "Fan-in of the reduction tree over worker processes [1]");
    private readonly Option<int?> valEvery = NumberOptions.Single<int>("val-every", "Meta-steps between validations on the validation split; keeps the best checkpoint [0: none]");
    private readonly Option<int?> valTasks = NumberOptions.Single<int>("val-tasks", "Validation tasks, the same at every validation [100]");
    private readonly Option<int?> valInnerSteps = NumberOptions.Single<int>("val-inner-steps", "Inner steps after which the validation metric is taken [largest of --eval-inner-steps]");
    private readonly Option<double?> valFraction = NumberOptions.Single<double>("val-fraction", "Images and tabular: share of the meta-training classes or files held out for validation [0.1]");
    private readonly Option<string?> valClasses = Text("val-classes", "Images: a file on the coordinator listing the validation classes", "FILE");
    private readonly Option<int?> earlyStop = NumberOptions.Single<int>("early-stop", "Validations in a row without improvement that end the run [0: never]");
    private readonly Option<bool> tensorboard = new("--tensorboard") { Description = "TensorBoard event files under tensorboard/ in the run directory (--tensorboard false: none) [true]" };
    private readonly Option<int?> imageSize = NumberOptions.Single<int>("image-size", "Images: resized to S×S pixels [28]");
    private readonly Option<int?> channels = NumberOptions.Single<int>("channels", "Images: 1 (grayscale) or 3 (RGB) [1]");
    private readonly Option<bool?> invert = new("--invert") { Description = "Images: store 1 − value, Omniglot's dark strokes on white; --invert false for photographs [true]", HelpName = "true|false", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string?> taskColumn = Text("task-column", "Tabular: one table holds many tasks; this column names each row's task [one file per task]", "NAME");
    private readonly Option<string?> separator = Text("separator", "Tabular: comma, semicolon, tab, pipe or auto [comma]", "NAME");
    private readonly Option<string?> na = Text("na", "Tabular: missing values are an error, drop-row or mean [error]", "POLICY");
    private readonly Option<bool> multiStepLoss = new("--multi-step-loss") { Description = "MAML++ (maml, fomaml): the mean of the query losses after every inner step" };
    private readonly Option<bool> learnedInnerLr = new("--learned-inner-lr") { Description = "MAML++ (maml, fomaml): per-layer per-step inner rates learned from --inner-lr" };

    // train's options that a coordinator decides for itself: named with the reason instead of "unrecognized".
    private static readonly string[] NotForSubmit = ["out", "resume", "threads", "metrics-port", "trace-console", "no-report", "data-plane"];

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[]
        {
            task, algorithm, data, evalData, evalGroups, evalClasses, target, rotations, ways, shots, query, metaBatch, innerSteps, innerLr,
            outerLr, outerOptimizer, lrSchedule, minOuterLr, warmupSteps, clipGradNorm, weightDecay, metaSteps, evalTasks, evalInnerSteps, evalQuery, workers, shards, device, seed, logEvery, shardTimeout, checkpointEvery,
            trLambda, trHeads, trTau, trMetaData, trSampler, gradDtype, kernels, reduceGroup, reduceTree,
            valEvery, valTasks, valInnerSteps, valFraction, valClasses, earlyStop, tensorboard,
            imageSize, channels, invert, taskColumn, separator, na, multiStepLoss, learnedInnerLr,
        })
        {
            command.Add(option);
        }
        foreach (string name in NotForSubmit)
        {
            var refused = new Option<string?>("--" + name) { Hidden = true, Arity = ArgumentArity.ZeroOrOne };
            refused.Validators.Add(result => result.AddError($"--{name} is not for submit: the coordinator chooses it (download RUN --out DIR for a local copy)"));
            command.Add(refused);
        }
    }

    /// <summary>The run's definition from what was given.</summary>
    public RunOptions Read(ParseResult parse) => new()
    {
        Task = parse.GetValue(task),
        Algorithm = parse.GetValue(algorithm),
        Data = parse.GetValue(data) ?? [],
        EvalData = parse.GetValue(evalData) ?? [],
        EvalGroups = parse.GetValue(evalGroups) ?? [],
        EvalClasses = parse.GetValue(evalClasses),
        Target = parse.GetValue(target),
        Rotations = parse.GetResult(rotations) is { Implicit: false } ? parse.GetValue(rotations) : null,
        Ways = parse.GetValue(ways),
        Shots = parse.GetValue(shots),
        Query = parse.GetValue(query),
        MetaBatch = parse.GetValue(metaBatch),
        InnerSteps = parse.GetValue(innerSteps),
        InnerLr = parse.GetValue(innerLr),
        OuterLr = parse.GetValue(outerLr),
        OuterOptimizer = parse.GetValue(outerOptimizer),
        LrSchedule = parse.GetValue(lrSchedule),
        MinOuterLr = parse.GetValue(minOuterLr),
        WarmupSteps = parse.GetValue(warmupSteps),
        ClipGradNorm = parse.GetValue(clipGradNorm),
        WeightDecay = parse.GetValue(weightDecay),
        MetaSteps = parse.GetValue(metaSteps),
        EvalTasks = parse.GetValue(evalTasks),
        EvalInnerSteps = parse.GetValue(evalInnerSteps) ?? [],
        EvalQuery = parse.GetValue(evalQuery),
        Workers = parse.GetValue(workers),
        Shards = parse.GetValue(shards),
        Device = parse.GetValue(device),
        Seed = parse.GetValue(seed),
        LogEvery = parse.GetValue(logEvery),
        ShardTimeout = parse.GetValue(shardTimeout),
        CheckpointEvery = parse.GetValue(checkpointEvery),
        TrLambda = parse.GetValue(trLambda),
        TrHeads = parse.GetValue(trHeads),
        TrTau = parse.GetValue(trTau),
        TrMetaData = parse.GetValue(trMetaData),
        TrSampler = parse.GetValue(trSampler),
        GradDtype = parse.GetValue(gradDtype),
        Kernels = parse.GetValue(kernels),
        ReduceGroup = parse.GetValue(reduceGroup),
        ReduceTree = parse.GetValue(reduceTree),
        ValEvery = parse.GetValue(valEvery),
        ValTasks = parse.GetValue(valTasks),
        ValInnerSteps = parse.GetValue(valInnerSteps),
        ValFraction = parse.GetValue(valFraction),
        ValClasses = parse.GetValue(valClasses),
        EarlyStop = parse.GetValue(earlyStop),
        Tensorboard = parse.GetResult(tensorboard) is { Implicit: false } ? parse.GetValue(tensorboard) : null,
        ImageSize = parse.GetValue(imageSize),
        Channels = parse.GetValue(channels),
        Invert = parse.GetResult(invert) is { Implicit: false } ? parse.GetValue(invert) ?? true : null,
        TaskColumn = parse.GetValue(taskColumn),
        Separator = parse.GetValue(separator),
        Na = parse.GetValue(na),
        MultiStepLoss = parse.GetResult(multiStepLoss) is { Implicit: false } ? parse.GetValue(multiStepLoss) : null,
        LearnedInnerLr = parse.GetResult(learnedInnerLr) is { Implicit: false } ? parse.GetValue(learnedInnerLr) : null,
    };

    private static Option<string?> Text(string name, string description, string helpName) =>
        new("--" + name) { Description = description, HelpName = helpName };
}
