using System.CommandLine;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Cli.Config;
using MetaCluster.Coordinator.Definitions;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Learning.Tasks;
using MetaCluster.Learning.Tasks.Tabular;
using MetaCluster.ServiceDefaults.Options;
using static MetaCluster.ServiceDefaults.Options.CheckedOptions;

namespace MetaCluster.Coordinator.Cli;

/// <summary>
/// The options that define a run (<see cref="RunDefinition"/>), shared by <c>train</c> and
/// <c>submit</c>, with <c>--config FILE</c>: their names, defaults, ranges and help. Each command
/// makes its own instance (an option belongs to the commands it is added to).
/// </summary>
public sealed class RunDefinitionOptions
{
    // Fields of run.json whose names are not an option's: a run's own run.json replays it.
    private static readonly Dictionary<string, string?> RunJsonFields = new(StringComparer.Ordinal)
    {
        ["shard-timeout-seconds"] = "shard-timeout",
        // The replay's directory comes from --out (or a new default), never the original's.
        ["output-directory"] = null,
        // Fixed by the coordinator (no option or API field sets it).
        ["eval-shard-tasks"] = null,
    };

    private readonly Option<string> task = Choice("--task", "task family", "sinusoid", [.. TaskFamilyCatalog.Names]);
    private readonly Option<string> algorithm = Choice("--algorithm", "meta-learning algorithm", "maml", [.. AlgorithmCatalog.Names]);
    private readonly Option<string[]> data = Repeatable("--data", "meta-training data: image folders or zips, a directory of CSV files (paths as the process that runs the run sees them)", "DIR|ZIP");
    private readonly Option<string[]> evalData = Repeatable("--eval-data", "held-out image classes: its classes less any also in --data", "DIR|ZIP");
    private readonly Option<string[]> evalGroups = CommaList("--eval-groups", "held-out classes from --data: these groups (comma-separated) [default: the last fifth of the groups]", "G1,G2,…");
    private readonly Option<string?> evalClasses = OptionalText("--eval-classes", "held-out classes from --data: the classes listed in this file", "FILE");
    private readonly Option<bool> rotations = Switch("--rotations", "images: 90/180/270° rotations as new classes");
    private readonly Option<int> imageSize = Int("--image-size", "images: resized to S×S pixels (Omniglot 28, mini-ImageNet 84)", 28, 4, 1024, "S");
    private readonly Option<int> channels = Int("--channels", "images: 1 (grayscale) or 3 (RGB)", 1, 1, 3, "1|3");
    private readonly Option<bool> invert = Toggle("--invert", "images: store 1 − value (Omniglot's dark strokes on white become 1.0 on 0.0); --invert false for photographs", true);
    private readonly Option<string?> target = OptionalText("--target", "tabular: the target column", "NAME", "the last column");
    private readonly Option<string?> taskColumn = OptionalText("--task-column", "tabular: one table holds many tasks; this column names each row's task", "NAME", "one file per task");
    private readonly Option<string> separator = Choice("--separator", "tabular: the field separator (auto: detected from the header)", "comma", [.. CsvFormat.SeparatorNames]);
    private readonly Option<string> na = Choice("--na", "tabular: missing values (empty, NA, N/A, null, NaN) stop the run, drop their row, or become the task's column mean", "error", [.. CsvFormat.MissingNames]);
    private readonly Option<int?> ways = OptionalInt("--ways", "classes per episode", 1, 10_000, "N", "5 for images, 1 otherwise");
    private readonly Option<int> shots = Int("--shots", "support examples per class (per task for regression)", 5, 1, 100_000, "K");
    private readonly Option<int> query = Int("--query", "query examples per class (per task for regression)", 10, 1, 100_000, "Q");
    private readonly Option<int> metaBatch = Int("--meta-batch", "tasks per meta-step", 25, 1, helpName: "T");
    private readonly Option<int> innerSteps = Int("--inner-steps", "inner gradient steps during meta-training", 1, 0, 10_000, "K");
    private readonly Option<double> innerLr = Number("--inner-lr", "inner learning rate α (Meta-SGD: its initial value)", 0.01, 0, 1e6, minExclusive: true, helpName: "A");
    private readonly Option<double?> outerLr = OptionalNumber("--outer-lr", "learning rate of the outer optimiser (Reptile's ε)", 0, 1e6, minExclusive: true, helpName: "B",
        describedDefault: "0.001; 1 for reptile with sgd");
    private readonly Option<string?> outerOptimizer = OptionalChoice("--outer-optimizer", "outer optimiser: adam, or sgd (θ ← θ − η·g, no momentum)",
        OuterOptimizerSettings.Names, "sgd for reptile, adam otherwise");
    private readonly Option<string> lrSchedule = Choice("--lr-schedule", "outer learning rate over the run: constant, or cosine down to --min-outer-lr at the last meta-step", "constant",
        LearningRateSchedule.Names);
    private readonly Option<double> minOuterLr = Number("--min-outer-lr", "cosine schedule: the rate it ends at", 0, 0, 1e6);
    private readonly Option<int> warmupSteps = Int("--warmup-steps", "meta-steps of linear warm-up of the outer learning rate (0: none)", 0, 0, 100_000_000);
    private readonly Option<double> clipGradNorm = Number("--clip-grad-norm", "largest global L2 norm of the outer gradient; a larger one is scaled down to it (0: off)", 0, 0, 1e6);
    private readonly Option<double> weightDecay = Number("--weight-decay", "outer weight decay: decoupled (AdamW) with adam, L2 with sgd (0: off)", 0, 0, 1e6);
    private readonly Option<bool> multiStepLoss = Switch("--multi-step-loss", "MAML++ (maml, fomaml): the outer loss is the mean of the query losses after every inner step");
    private readonly Option<bool> learnedInnerLr = Switch("--learned-inner-lr", "MAML++ (maml, fomaml): one inner rate per layer and inner step, learned in the outer loop from --inner-lr");
    private readonly Option<int> metaSteps = Int("--meta-steps", "meta-updates", 2000, 1, 100_000_000, "S");
    private readonly Option<int> evalTasks = Int("--eval-tasks", "held-out tasks for the final evaluation (0 skips it)", 600, 0, 10_000_000, "E");
    private readonly Option<IntegerList?> evalInnerSteps = IntList("--eval-inner-steps", "inner steps after which the evaluation metric is reported", [1, 10], 0, 10_000);
    private readonly Option<int?> evalQuery = OptionalInt("--eval-query", "query examples per evaluation task", 0, 100_000, "Q", "--query");
    private readonly Option<int> workers = Int("--workers", "TaskWorker grains (train: of its embedded cluster); the default of --shards", 2, 1, 1024, "W");
    private readonly Option<int?> shards = OptionalInt("--shards", "shards per meta-batch; for a fixed N the result is bit-identical for any W", 1, describedDefault: "W");
    private readonly Option<int> reduceGroup = Int("--reduce-group", "pre-reduction on workers: each k consecutive shards run in one worker process, which sends their gradients summed", 1, 1, 1_000_000, "K");
    private readonly Option<int> reduceTree = Int("--reduce-tree", "reduction tree: each f consecutive groups meet at one worker process's relay, which sends the coordinator one gradient", 1, 1, 1_000_000, "F");
    private readonly Option<string> device = Text("--device", "cpu or cuda[:N] (decided where the run runs)", "cpu", "cpu|cuda[:N]");
    private readonly Option<ulong> seed = UInt64("--seed", "run seed: initial parameters and every task derive from it", 0, "S");
    private readonly Option<int> logEvery = Int("--log-every", "meta-steps between lines of metrics.jsonl", 10, 1);
    private readonly Option<double> shardTimeout = Number("--shard-timeout", "seconds before a shard is reassigned to another worker", 600, 0, 86_400, minExclusive: true, helpName: "SECONDS");
    private readonly Option<int> checkpointEvery = Int("--checkpoint-every", "meta-steps between checkpoints (0: only the final one)", 100, 0);
    private readonly Option<string> gradDtype = Choice("--grad-dtype", "element type of the outer gradients workers send (parameters stay float32)", "f32", [.. GradientCodec.Names]);
    private readonly Option<string> kernels = Choice("--kernels", "fused: hand-written MAML/FOMAML kernels for MLPs on the CPU; autograd: libtorch autograd for everything", "fused", [.. AlgorithmCatalog.KernelChoices]);
    private readonly Option<double> trLambda = Number("--tr-lambda", "TRLearner's weight λ of the relation loss; 0 switches it off", 0, 0, 1e6);
    private readonly Option<int> trHeads = Int("--tr-heads", "TRLearner: heads of the similarity layer", 4, 1, 1024, "H");
    private readonly Option<double> trTau = Number("--tr-tau", "TRLearner: temperature of the relation softmax", 0.5, 0, 1e6, minExclusive: true, helpName: "TAU");
    private readonly Option<int> trMetaData = Int("--tr-meta-data", "TRLearner: meta-data samples per task (at most the query size)", 5, 1, 100_000, "M");
    private readonly Option<int> valEvery = Int("--val-every", "meta-steps between validations on the validation split (and at the last step); keeps checkpoints/best.* and evaluates the best (0: no validation)", 0, 0, 100_000_000);
    private readonly Option<int> valTasks = Int("--val-tasks", "validation tasks (the same ones at every validation)", 100, 1, 10_000_000, "M");
    private readonly Option<int?> valInnerSteps = OptionalInt("--val-inner-steps", "inner steps after which the validation metric is taken", 0, 10_000, "K", "the largest of --eval-inner-steps");
    private readonly Option<double> valFraction = Number("--val-fraction", "images and tabular: share of the meta-training classes or files held out as the validation split", 0.1, 0, 1, minExclusive: true, helpName: "F");
    private readonly Option<string?> valClasses = OptionalText("--val-classes", "images: the validation classes are those listed in this file (group/class per line), instead of --val-fraction", "FILE");
    private readonly Option<int> earlyStop = Int("--early-stop", "end the run after this many validations in a row without improvement (0: never)", 0, 0, 1_000_000, "PATIENCE");
    private readonly Option<bool> tensorboard = new("--tensorboard") { Description = "write TensorBoard event files under tensorboard/ in the run directory (--tensorboard false: none)", DefaultValueFactory = _ => true };
    private readonly Option<string> trSampler = Choice("--tr-sampler", "TRLearner: hardest (the query samples with the highest adapted loss) or random", "hardest", ["hardest", "random"]);

    /// <summary><c>--config FILE</c>: these options from a JSON or YAML file, or a run's run.json.</summary>
    public ConfigFileOption Config { get; } = new(
        "options from a JSON or YAML file (.json, .yaml, .yml): keys are the option names (meta-batch, meta_batch or metaBatch); a run's run.json replays the run; flags override the file",
        RunJsonFields);

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        Option[] all =
        [
            task, algorithm, data, evalData, evalGroups, evalClasses, rotations, imageSize, channels, invert, target, taskColumn, separator, na, ways, shots, query, metaBatch, innerSteps, innerLr, outerLr, multiStepLoss, learnedInnerLr,
            outerOptimizer, lrSchedule, minOuterLr, warmupSteps, clipGradNorm, weightDecay,
            metaSteps, evalTasks, evalInnerSteps, evalQuery, workers, shards, reduceGroup, reduceTree, device, seed, logEvery, shardTimeout,
            checkpointEvery, gradDtype, kernels, trLambda, trHeads, trTau, trMetaData, trSampler,
            valEvery, valTasks, valInnerSteps, valFraction, valClasses, earlyStop, tensorboard, Config,
        ];
        foreach (var option in all) command.Options.Add(option);
    }

    /// <summary>The definition the options give, before the defaults that depend on other fields (0 ways, 0 shards, a NaN outer-lr, no outer optimiser: see <see cref="Checked"/>).</summary>
    public RunDefinition Read(ParseResult result) => new()
    {
        Task = result.GetValue(task)!,
        Algorithm = result.GetValue(algorithm)!,
        Data = result.GetValue(data) ?? [],
        EvalData = result.GetValue(evalData) ?? [],
        EvalGroups = result.GetValue(evalGroups) ?? [],
        EvalClasses = result.GetValue(evalClasses),
        Rotations = result.GetValue(rotations),
        ImageSize = result.GetValue(imageSize),
        Channels = result.GetValue(channels),
        Invert = result.GetValue(invert),
        Target = result.GetValue(target),
        TaskColumn = result.GetValue(taskColumn),
        Separator = result.GetValue(separator)!,
        Na = result.GetValue(na)!,
        Ways = result.GetValue(ways) ?? 0,
        Shots = result.GetValue(shots),
        Query = result.GetValue(query),
        MetaBatch = result.GetValue(metaBatch),
        InnerSteps = result.GetValue(innerSteps),
        InnerLr = result.GetValue(innerLr),
        OuterLr = result.GetValue(outerLr) ?? double.NaN,
        OuterOptimizer = result.GetValue(outerOptimizer) ?? "",
        LrSchedule = result.GetValue(lrSchedule)!,
        MinOuterLr = result.GetValue(minOuterLr),
        WarmupSteps = result.GetValue(warmupSteps),
        ClipGradNorm = result.GetValue(clipGradNorm),
        WeightDecay = result.GetValue(weightDecay),
        MultiStepLoss = result.GetValue(multiStepLoss),
        LearnedInnerLr = result.GetValue(learnedInnerLr),
        MetaSteps = result.GetValue(metaSteps),
        EvalTasks = result.GetValue(evalTasks),
        EvalInnerSteps = result.GetValue(evalInnerSteps)!.ToArray(),
        EvalQuery = result.GetValue(evalQuery) ?? 0,
        Workers = result.GetValue(workers),
        Shards = result.GetValue(shards) ?? 0,
        ReduceGroup = result.GetValue(reduceGroup),
        ReduceTree = result.GetValue(reduceTree),
        Device = result.GetValue(device)!,
        Seed = result.GetValue(seed),
        LogEvery = result.GetValue(logEvery),
        ShardTimeoutSeconds = result.GetValue(shardTimeout),
        CheckpointEvery = result.GetValue(checkpointEvery),
        GradDtype = result.GetValue(gradDtype)!,
        Kernels = result.GetValue(kernels)!,
        TrLambda = result.GetValue(trLambda),
        TrHeads = result.GetValue(trHeads),
        TrTau = result.GetValue(trTau),
        TrMetaData = result.GetValue(trMetaData),
        TrSampler = result.GetValue(trSampler)!,
        ValEvery = result.GetValue(valEvery),
        ValTasks = result.GetValue(valTasks),
        ValInnerSteps = result.GetValue(valInnerSteps),
        ValFraction = result.GetValue(valFraction),
        ValClasses = result.GetValue(valClasses),
        EarlyStop = result.GetValue(earlyStop),
        Tensorboard = result.GetValue(tensorboard),
    };

    /// <summary>
    /// <paramref name="run"/> with the defaults that depend on other fields filled in
    /// (<see cref="ApiRunDefinitions.CompleteDefaults"/>), checked by the rules every run definition
    /// meets (<see cref="RunDefinitionRules"/>); a broken rule is a <see cref="UsageException"/> naming the option.
    /// What needs the data (paths, classes) is checked where the run starts (<see cref="RunDataChecks"/>).
    /// </summary>
    public static RunDefinition Checked(RunDefinition run)
    {
        run = ApiRunDefinitions.CompleteDefaults(run);
        try
        {
            RunDefinitionRules.Check(run, FieldNames.CommandLine);
        }
        catch (InvalidRunDefinitionException e)
        {
            throw new UsageException(e.Message);
        }
        return run;
    }
}
