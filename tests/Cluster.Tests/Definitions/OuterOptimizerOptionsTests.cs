using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.Definitions;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Learning.Optimisation;
using MetaCluster.ServiceDefaults.Options;
using Api = MetaCluster.Protos.Api.V1;

namespace MetaCluster.Tests.Definitions;

/// <summary>
/// The outer optimiser's options (--outer-optimizer, --lr-schedule, --min-outer-lr, --warmup-steps,
/// --clip-grad-norm, --weight-decay) and reptile's defaults, from the command line, a config file and
/// the API, and the combinations refused before a run starts.
/// </summary>
public sealed class OuterOptimizerOptionsTests
{
    [Fact]
    public void TheDefaultRunIsPlainAdamAtTheRateItAlwaysHad()
    {
        var run = TrainOptions.Parse([]).Run;
        Assert.Equal(("maml", "adam", 0.001, "constant", 0, 0.0, 0.0, 0.0),
            (run.Algorithm, run.OuterOptimizer, run.OuterLr, run.LrSchedule, run.WarmupSteps, run.MinOuterLr, run.ClipGradNorm, run.WeightDecay));
        var settings = run.OuterOptimizer();
        Assert.Equal(OuterOptimizerKind.Adam, settings.Kind);
        Assert.Equal(LearningRateShape.Constant, settings.Schedule.Shape);
    }

    [Fact]
    public void ReptileDefaultsToSgdAtEpsilonOneAndAnExplicitChoiceWins()
    {
        var reptile = TrainOptions.Parse(["--algorithm", "reptile", "--inner-steps", "5"]).Run;
        Assert.Equal(("sgd", 1.0), (reptile.OuterOptimizer, reptile.OuterLr));
        var withAdam = TrainOptions.Parse(["--algorithm", "reptile", "--outer-optimizer", "adam"]).Run;
        Assert.Equal(("adam", 0.001), (withAdam.OuterOptimizer, withAdam.OuterLr));
        var epsilon = TrainOptions.Parse(["--algorithm", "reptile", "--outer-lr", "0.25"]).Run;
        Assert.Equal(("sgd", 0.25), (epsilon.OuterOptimizer, epsilon.OuterLr));
        var mamlSgd = TrainOptions.Parse(["--outer-optimizer", "sgd"]).Run;
        Assert.Equal(("sgd", 0.001), (mamlSgd.OuterOptimizer, mamlSgd.OuterLr));
    }

    [Fact]
    public void EveryOptionIsReadFromFlagsAndFromAConfigFile()
    {
        string[] flags = ["--outer-optimizer", "sgd", "--lr-schedule", "cosine", "--min-outer-lr", "0.0001", "--warmup-steps", "50", "--clip-grad-norm", "10", "--weight-decay", "0.0005"];
        string path = Path.Combine(Directory.CreateTempSubdirectory("outer-").FullName, "preset.yaml");
        File.WriteAllText(path, "outer-optimizer: sgd\nlr_schedule: cosine\nmin-outer-lr: 0.0001\nwarmup-steps: 50\nclip_grad_norm: 10\nweight-decay: 0.0005\n");
        foreach (var run in new[] { TrainOptions.Parse(flags).Run, TrainOptions.Parse(["--config", path]).Run })
        {
            Assert.Equal(("sgd", "cosine", 0.0001, 50, 10.0, 0.0005), (run.OuterOptimizer, run.LrSchedule, run.MinOuterLr, run.WarmupSteps, run.ClipGradNorm, run.WeightDecay));
            var settings = run.OuterOptimizer();
            Assert.Equal(new LearningRateSchedule(LearningRateShape.Cosine, 50, 2000, 0.0001), settings.Schedule);
            Assert.Equal((10.0, 0.0005), (settings.ClipGradNorm, settings.WeightDecay));
        }
    }

    [Theory]
    [InlineData("--outer-optimizer must be one of adam, sgd", "--outer-optimizer", "rmsprop")]
    [InlineData("--lr-schedule", "--lr-schedule", "step")]
    [InlineData("--min-outer-lr is where the cosine schedule ends", "--min-outer-lr", "0.0001")]
    [InlineData("--min-outer-lr (0.5) cannot exceed --outer-lr", "--lr-schedule", "cosine", "--min-outer-lr", "0.5")]
    [InlineData("--warmup-steps must be", "--warmup-steps", "3000")]
    [InlineData("--clip-grad-norm", "--clip-grad-norm", "-1")]
    [InlineData("--weight-decay", "--weight-decay", "-0.1")]
    [InlineData("--tr-lambda: reptile's outer direction", "--algorithm", "reptile", "--tr-lambda", "0.5")]
    [InlineData("--inner-steps must be at least 1 with --algorithm reptile", "--algorithm", "reptile", "--inner-steps", "0")]
    public void ImpossibleCombinationsAreRefusedInOneLineNamingTheOption(string expected, params string[] args)
    {
        var refused = Assert.Throws<UsageException>(() => TrainOptions.Parse(args));
        Assert.Contains(expected, refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Fact]
    public void TheApiFillsTheSameDefaultsAndCarriesEveryFieldBothWays()
    {
        var reptile = ApiRunDefinitions.ToRecord(new Api.RunDefinition { Algorithm = "reptile" });
        Assert.Equal(("sgd", 1.0), (reptile.OuterOptimizer, reptile.OuterLr));
        var maml = ApiRunDefinitions.ToRecord(new Api.RunDefinition());
        Assert.Equal(("adam", 0.001), (maml.OuterOptimizer, maml.OuterLr));

        var run = maml with { OuterOptimizer = "sgd", OuterLr = 0.3, LrSchedule = "cosine", MinOuterLr = 0.01, WarmupSteps = 7, ClipGradNorm = 2.5, WeightDecay = 0.001 };
        var back = ApiRunDefinitions.ToRecord(ApiRunDefinitions.ToApi(run));
        Assert.Equal(("sgd", 0.3, "cosine", 0.01, 7, 2.5, 0.001),
            (back.OuterOptimizer, back.OuterLr, back.LrSchedule, back.MinOuterLr, back.WarmupSteps, back.ClipGradNorm, back.WeightDecay));
        Assert.Contains("definition.outer_lr", Assert.Throws<InvalidRunDefinitionException>(() =>
            RunDefinitionRules.Check(maml with { OuterLr = 0 }, FieldNames.Api)).Message);
    }

    [Fact]
    public void ACosineRunResumesOnlyWithItsOwnMetaStepsAConstantOneMayBeExtended()
    {
        var constant = new RunDefinition { MetaSteps = 100 };
        ResumeCheck.Require(constant, constant with { MetaSteps = 200 }, "ckpt");
        var cosine = constant with { LrSchedule = "cosine" };
        ResumeCheck.Require(cosine, cosine, "ckpt");
        var refused = Assert.Throws<RunRefusedException>(() => ResumeCheck.Require(cosine, cosine with { MetaSteps = 200 }, "ckpt"));
        Assert.Contains("cosine learning-rate schedule runs over exactly those steps", refused.Message);
        Assert.Equal("weight_decay", ResumeCheck.FirstDifference(cosine, cosine with { WeightDecay = 0.1 })?.Field);
        Assert.Equal("outer_optimizer", ResumeCheck.FirstDifference(constant, constant with { OuterOptimizer = "sgd" })?.Field);
    }
}
