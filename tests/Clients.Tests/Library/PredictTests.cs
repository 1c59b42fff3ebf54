using System.Buffers.Binary;
using Google.Protobuf;
using MetaCluster.Tests.Clients.Fakes;
using Api = MetaCluster.Protos.Api.V1;
using Wire = MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Tests.Clients.Library;

/// <summary>AdaptAndPredictAsync's tensors on the wire: float32 little-endian with their shapes, both ways.</summary>
public sealed class PredictTests
{
    [Theory]
    [InlineData(Wire.DType.Float32)]
    [InlineData(Wire.DType.Float64)]
    public async Task TensorsGoAsLittleEndianFloatsWithTheirShapes(Wire.DType predictionType)
    {
        int width = predictionType == Wire.DType.Float32 ? 4 : 8;
        var data = new byte[2 * width];
        for (int i = 0; i < 2; i++)
        {
            if (width == 4) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), 0.25f * (i + 1));
            else BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(i * 8), 0.25 * (i + 1));
        }
        var fake = new FakeCoordinator(_ => FakeCoordinator.Reply.Ok(new Api.AdaptAndPredictResponse
        {
            Predictions = new Wire.TensorProto { Dtype = predictionType, Shape = { 2, 1 }, Data = ByteString.CopyFrom(data) }, WorkerId = "w/cpu/0",
        }));
        using var client = fake.Client();
        var prediction = await client.AdaptAndPredictAsync("run-1", FloatTensor.Column(-1f, 1f), FloatTensor.Column(0.5f, -0.5f), FloatTensor.Column(2f, 3f),
            innerSteps: 4, TestContext.Current.CancellationToken);

        Assert.Equal(new FloatTensor([0.25f, 0.5f], [2, 1]), prediction.Predictions);
        Assert.Equal("w/cpu/0", prediction.WorkerId);
        var request = fake.Calls.Single().Parse(Api.AdaptAndPredictRequest.Parser);
        Assert.Equal(4, request.InnerSteps);
        Assert.Equal([2L, 1L], request.SupportX.Shape);
        Assert.Equal(Wire.DType.Float32, request.SupportY.Dtype);
        Assert.Equal(-0.5f, BinaryPrimitives.ReadSingleLittleEndian(request.SupportY.Data.Span[4..]));
    }

    [Fact]
    public async Task InnerStepsLeftNullAreLeftUnset()
    {
        var fake = new FakeCoordinator(_ => FakeCoordinator.Reply.Ok(new Api.AdaptAndPredictResponse
        {
            Predictions = new Wire.TensorProto { Dtype = Wire.DType.Float32, Shape = { 0, 1 } },
        }));
        using var client = fake.Client();
        var prediction = await client.AdaptAndPredictAsync("run-1", FloatTensor.Column(1f), FloatTensor.Column(1f), new FloatTensor([], [0, 1]),
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(prediction.Predictions.Values);
        Assert.False(fake.Calls.Single().Parse(Api.AdaptAndPredictRequest.Parser).HasInnerSteps);
    }
}
