using MetaCluster.Coordinator.Runs;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using MetaCluster.DataPlane.Wire;
using Microsoft.Extensions.DependencyInjection;
using static TorchSharp.torch;
using MetaCluster.Abstractions;
using MetaCluster.Embedded;

namespace MetaCluster.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class AdaptAndPredictTests
{
    [Fact]
    public async Task AWorkerAdaptsTheMetaModelToASupportSetAndPredictsItsQueries()
    {
        var run = new RunDefinition { Task = "sinusoid", Algorithm = "maml", InnerLr = 0.01, EvalInnerSteps = [1, 10], Seed = 2 };
        var family = new SinusoidTasks();
        var model = family.CreateModel();
        var maml = new Maml(new InnerLoopSettings(1, 0.01), firstOrder: false);
        using var theta = maml.InitializeMetaParameters(model, 2);
        using var task = family.Sample(2, TaskStream.Evaluation, 0, [7], new EpisodeShape(1, 10, 4));

        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(2, Threads: 1), TestContext.Current.CancellationToken);
        var predictor = cluster.Services.GetRequiredService<Predictor>();
        var prediction = await predictor.PredictAsync(run, theta.data<float>().ToArray(),
            Proto(task.SupportX[0]), Proto(task.SupportY[0]), Proto(task.QueryX[0]), innerSteps: 25, CancellationToken.None);

        Assert.Null(prediction.Error);
        Assert.Equal([4L, 1L], prediction.Values!.Shape);
        var remote = TensorWire.ToFloats(prediction.Values, "predictions");

        // The same adaptation done here, by plain SGD on the support set, one task.
        var weights = model.Layout.Views(theta.clone()).Select(w => w.unsqueeze(0).requires_grad_(true)).ToArray();
        for (int k = 0; k < 25; k++)
        {
            var loss = (model.Forward(weights, task.SupportX) - task.SupportY).square().mean();
            var grads = autograd.grad([loss], weights);
            weights = weights.Zip(grads, (w, g) => (w - 0.01 * g).detach().requires_grad_(true)).ToArray();
        }
        var local = model.Forward(weights, task.QueryX).detach().flatten().data<float>().ToArray();
        for (int i = 0; i < 4; i++) Assert.Equal(local[i], remote[i], 4);

        // Adapting moved the predictions: 25 steps differ from none.
        var unadapted = model.Forward(model.Layout.Views(theta).Select(w => w.unsqueeze(0)).ToArray(), task.QueryX).detach().flatten().data<float>().ToArray();
        Assert.True(Enumerable.Range(0, 4).Sum(i => Math.Abs(unadapted[i] - remote[i])) > 1e-3);
    }

    [Fact]
    public async Task ATaskThatDoesNotFitTheModelIsReportedOnceNotRetried()
    {
        var run = new RunDefinition { Task = "sinusoid", Algorithm = "maml", EvalInnerSteps = [1] };
        var theta = new SinusoidTasks().CreateModel().Initialize(0).data<float>().ToArray();
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(1, Threads: 1), TestContext.Current.CancellationToken);
        var predictor = cluster.Services.GetRequiredService<Predictor>();
        // Three input features for a model that takes one.
        var prediction = await predictor.PredictAsync(run, theta,
            TensorWire.ToProto(new float[6], [2, 3]), TensorWire.ToProto(new float[2], [2, 1]), TensorWire.ToProto(new float[3], [1, 3]),
            1, CancellationToken.None);
        Assert.NotNull(prediction.Error);
        Assert.Null(prediction.Values);
    }

    private static MetaCluster.Protos.DataPlane.V1.TensorProto Proto(Tensor t) =>
        TensorWire.ToProto(t.contiguous().data<float>().ToArray(), t.shape);
}
