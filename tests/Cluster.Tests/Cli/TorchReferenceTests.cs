using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Export;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Images;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Cli;

/// <summary>
/// The reference cases of the PyTorch loader's tests (<c>clients/python/tests/reference</c>): for
/// each architecture and algorithm, an exported model (<c>NAME.safetensors</c>, written by
/// <see cref="RunExport"/>) and what the cluster computes with it (<c>NAME.expected.safetensors</c>:
/// a support set and queries, the model's plain outputs on the queries, and the predictions of the
/// algorithm's evaluation, as a worker answers AdaptAndPredict, after <c>inner_steps</c> steps).
/// The pytest module <c>test_torch.py</c> checks that PyTorch computes the same. This test fails when
/// the committed files are no longer what the cluster computes; set <c>METACLUSTER_UPDATE_REFERENCE=1</c>
/// to write them anew.
/// </summary>
public sealed class TorchReferenceTests
{
    private const string UpdateVariable = "METACLUSTER_UPDATE_REFERENCE";

    public sealed record Case(string Name, string Task, string Algorithm, Func<IFunctionalModel> Model, TaskKind Kind, int Ways, int Shots, int Queries, int Steps, double InnerLr);

    private static readonly Case[] Cases =
    [
        new("mlp-maml", "sinusoid", "maml", () => new Mlp(1, 40, 40, 1), TaskKind.Regression, 1, 10, 7, 3, 0.01),
        new("mlp-metasgd", "sinusoid", "metasgd", () => new Mlp(1, 16, 16, 1), TaskKind.Regression, 1, 5, 6, 2, 0.02),
        new("mlp-anil", "harmonic", "anil", () => new Mlp(1, 16, 16, 1), TaskKind.Regression, 1, 5, 6, 4, 0.05),
        new("mlp-fomaml-classes", "tabular", "fomaml", () => new Mlp(4, 16, 3), TaskKind.Classification, 3, 2, 5, 2, 0.3),
        new("cnn4-maml", "images", "maml", () => new Cnn4(3, 1, 16, 16, 8), TaskKind.Classification, 3, 1, 6, 2, 0.4),
        new("cnn4-protonet", "images", "protonet", () => new Cnn4(3, 1, 16, 16, 8), TaskKind.Classification, 3, 2, 6, 0, 0.4),
        new("cnn4-mtl", "images", "mtl", () => new Cnn4(3, 1, 16, 16, 8), TaskKind.Classification, 3, 1, 6, 3, 0.2),
    ];

    public static string Folder => Path.Combine(RepositoryPaths.Root, "clients", "python", "tests", "reference");

    public static TheoryData<string> Names => [.. Cases.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void TheCommittedReferenceIsWhatTheClusterComputes(string name)
    {
        var c = Cases.Single(x => x.Name == name);
        using var temporary = new TempFolder();
        var (model, expected) = Write(c, temporary.Path);
        string committedModel = Path.Combine(Folder, Path.GetFileName(model)), committedExpected = Path.Combine(Folder, Path.GetFileName(expected));
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Folder);
            File.Copy(model, committedModel, overwrite: true);
            File.Copy(expected, committedExpected, overwrite: true);
        }
        Assert.True(File.Exists(committedModel) && File.Exists(committedExpected), $"{Folder} lacks {name}'s files: run this test with {UpdateVariable}=1");
        Assert.Equal(File.ReadAllBytes(committedModel), File.ReadAllBytes(model));

        var now = SafetensorsReader.Read(expected);
        var committed = SafetensorsReader.Read(committedExpected);
        Assert.Equal(now.Metadata, committed.Metadata);
        Assert.Equal(now.Tensors.Select(t => (t.Name, string.Join(",", t.Shape))), committed.Tensors.Select(t => (t.Name, string.Join(",", t.Shape))));
        foreach (var (fresh, kept) in now.Tensors.Zip(committed.Tensors))
            for (int i = 0; i < fresh.Values.Length; i++)
                Assert.True(Math.Abs(fresh.Values[i] - kept.Values[i]) <= 1e-5 + 1e-4 * Math.Abs(kept.Values[i]),
                    $"{name}: {fresh.Name}[{i}] is {fresh.Values[i]} now, {kept.Values[i]} in {committedExpected} (rerun with {UpdateVariable}=1 if the change is meant)");
    }

    [Fact]
    public void AdaptingChangesEveryGradientCasesPredictions()
    {
        // Otherwise the Python side would compare the unadapted model twice and prove nothing about its inner loop.
        foreach (var c in Cases.Where(c => c.Steps > 0))
        {
            using var folder = new TempFolder();
            var (_, expected) = Write(c, folder.Path);
            var tensors = SafetensorsReader.Read(expected).Tensors.ToDictionary(t => t.Name, t => t.Values);
            Assert.False(tensors["outputs"].SequenceEqual(tensors["predictions"]), $"{c.Name}: {c.Steps} step(s) changed no prediction");
        }
    }

    /// <summary>Writes the case's model and expectations to <paramref name="folder"/>; returns both paths.</summary>
    public static (string Model, string Expected) Write(Case c, string folder)
    {
        using var scope = NewDisposeScope();
        var model = c.Model();
        var algorithm = AlgorithmCatalog.Create(c.Algorithm, new InnerLoopSettings(c.Steps, c.InnerLr));
        var generator = new Generator(17);
        // Away from the initialisation (Meta-SGD's rates all alike, biases zero): each element scaled by its own factor.
        using var initial = algorithm.InitializeMetaParameters(model, 5);
        using var theta = initial * (0.75 + 0.5 * rand(initial.shape, generator: generator)) + 0.02 * randn(initial.shape, generator: generator);
        var run = new RunDefinition
        {
            Task = c.Task, Algorithm = c.Algorithm, Ways = c.Ways, Shots = c.Shots, Query = c.Queries,
            InnerSteps = 1, InnerLr = c.InnerLr, EvalInnerSteps = [1, Math.Max(1, c.Steps)], Seed = 5,
        };
        var values = theta.data<float>().ToArray();
        var architecture = ModelArchitecture.Describe(model) with
        {
            TaskKind = ModelArchitecture.KindName(c.Kind),
            InvertedImages = c.Task == "images" ? true : null,
        };
        var checkpoint = new Checkpoint($"reference-{c.Name}", run, 1, 0, values, null, null)
        {
            Tensors = TensorEntry.ForRun(algorithm, model, run.TrLearner(), values.LongLength),
            Model = architecture,
        };
        string modelPath = Path.Combine(folder, $"{c.Name}.safetensors");
        RunExport.Write(checkpoint, modelPath);

        var (supportX, supportY, queryX) = Inputs(c, model, generator);
        float[] Predict(int steps)
        {
            // The batch disposes its tensors: views and query targets of its own each time (the worker's are zeros too).
            var queryY = c.Kind == TaskKind.Classification ? zeros([1, c.Queries], ScalarType.Int64) : zeros([1, c.Queries, model.OutputCount]);
            using var batch = new TaskBatch(c.Kind, supportX.unsqueeze(0), supportY.unsqueeze(0), queryX.unsqueeze(0), queryY);
            return algorithm.Evaluate(model, theta, batch, [steps]).Predictions!;
        }
        long[] predictionShape = [c.Queries, model.OutputCount];
        var tensors = new List<NamedTensor>
        {
            Named("support_x", supportX), Named("support_y", supportY.to(ScalarType.Float32)), Named("query_x", queryX),
            // ProtoNet's scores need the support set; for the others no step is the model's forward pass.
            new("outputs", predictionShape, Predict(0)), new("predictions", predictionShape, Predict(c.Steps)),
        };
        string expectedPath = Path.Combine(folder, $"{c.Name}.expected.safetensors");
        SafetensorsWriter.Write(expectedPath, tensors, [new("case", c.Name), new("inner_steps", c.Steps.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        return (modelPath, expectedPath);
    }

    private static (Tensor SupportX, Tensor SupportY, Tensor QueryX) Inputs(Case c, IFunctionalModel model, Generator generator)
    {
        long[] example = [.. model.InputShape];
        int support = c.Ways * c.Shots;
        if (c.Kind == TaskKind.Regression)
        {
            var sx = -5 + 10 * rand([support, .. example], generator: generator);
            var qx = -5 + 10 * rand([c.Queries, .. example], generator: generator);
            return (sx, 1.7 * sin(sx - 0.4), qx);
        }
        // Each class c.Shots times, in class order, as episodes are laid out.
        var labels = arange(c.Ways, ScalarType.Int64).repeat_interleave(c.Shots);
        var scale = c.Task == "images" ? 1.0 : 2.0;
        var offset = c.Task == "images" ? 0.0 : -1.0;
        return (offset + scale * rand([support, .. example], generator: generator), labels,
            offset + scale * rand([c.Queries, .. example], generator: generator));
    }

    private static NamedTensor Named(string name, Tensor t) => new(name, t.shape, t.contiguous().data<float>().ToArray());
}
