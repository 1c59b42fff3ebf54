using System.Globalization;
using MetaCluster.Bench.Capacity;
using MetaCluster.Bench.Loopback;
using MetaCluster.DataPlane.Wire;
using MetaCluster.TaskWorker.DataPlane;
using MetaCluster.TaskWorker.Hosting;

namespace MetaCluster.Bench.Wire;

/// <summary>
/// <c>bench --suite wire</c>: bytes on the wire per outer gradient against its raw float32 size.
/// A worker's real result sender and parameter cache talk to a real coordinator data plane on
/// loopback through connections whose bytes are counted (HTTP/2 and gRPC framing, headers and
/// Protobuf included). Options: <c>wire-params</c> (default 1k,1761,10k,100k,1M,10M; 1,761 is the
/// sinusoid MLP), <c>wire-dtype</c> (f32,bf16,f16).
/// </summary>
public sealed class WireSuite : IBenchSuite
{
    /// <inheritdoc/>
    public IReadOnlyList<BenchOption> SuiteOptions { get; } =
    [
        new("wire-params", "wire: gradient sizes (default 1k,1761,10k,100k,1M,10M)"),
        new("wire-dtype", "wire: gradient wire types (default f32,bf16,f16)"),
    ];

    /// <inheritdoc/>
    public string Name => "wire";

    /// <inheritdoc/>
    public string Description => "wire efficiency: bytes on the HTTP/2 connection per outer gradient (and per parameter fetch) against the raw float32 size";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<BenchFigure>> RunAsync(BenchSettings settings, TextWriter progress, CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        var elements = settings.Options.GetValueOrDefault("wire-params", settings.Quick ? "1k,100k" : "1k,1761,10k,100k,1M,10M")
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(CapacityPoint.ParseCount).ToArray();
        var wireTypes = settings.Options.GetValueOrDefault("wire-dtype", settings.Quick ? "f32,bf16" : "f32,bf16,f16")
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(GradientCodec.Parse).ToArray();
        int repetitions = settings.Quick ? 1 : Math.Max(1, settings.Repetitions);

        await using var plane = await LoopbackDataPlane.StartAsync(cancellationToken);
        var counter = new ConnectionBytes();
        using var channels = new DataPlaneChannels(Microsoft.Extensions.Options.Options.Create(new WorkerOptions()), counter.CreateHandler);
        var exchange = new WireExchange(plane, counter, new ParameterCache(channels), new ShardResultSender(channels));
        var figures = new List<BenchFigure>();
        foreach (var wireType in wireTypes)
        foreach (int p in elements)
        {
            var samples = new List<WireSample>();
            // The first exchange opens the connection and fills HPACK's tables: not measured.
            for (int i = 0; i <= repetitions; i++)
            {
                var sample = await exchange.RunAsync(p, wireType, cancellationToken);
                if (i > 0) samples.Add(sample);
            }
            var config = new Dictionary<string, string> { ["params"] = CapacityPoint.FormatCount(p), ["grad_dtype"] = GradientCodec.Name(wireType) };
            double raw = (double)p * sizeof(float);
            var upload = samples.Select(s => s.GradientWritten / raw).ToArray();
            var fetch = samples.Select(s => s.ParametersRead / raw).ToArray();
            var last = samples[^1];
            figures.Add(new BenchFigure(Name, "gradient bytes on the wire / raw float32", config, "ratio", BenchFigure.MedianOf(upload), upload,
                new Dictionary<string, double>
                {
                    ["wire_bytes"] = last.GradientWritten,
                    ["raw_float32_bytes"] = raw,
                    ["wire_over_encoded"] = last.GradientWritten / ((double)p * GradientCodec.ElementBytes(wireType)),
                    ["header_message_bytes"] = last.HeaderBytes,
                    ["returned_bytes"] = last.GradientRead,
                },
                "every byte the worker writes on its HTTP/2 connection to send one shard result (header with 12 task losses, then the gradient in chunks), steady state; wire_over_encoded compares with the raw size in the wire type"));
            figures.Add(new BenchFigure(Name, "parameter bytes on the wire / raw float32", config, "ratio", BenchFigure.MedianOf(fetch), fetch,
                new Dictionary<string, double> { ["wire_bytes"] = last.ParametersRead, ["request_bytes"] = last.ParametersWritten },
                "every byte the worker reads from its connection to fetch one version of θ"));
            progress.WriteLine(string.Create(c, $"wire P={CapacityPoint.FormatCount(p)} {GradientCodec.Name(wireType)}: gradient {last.GradientWritten} B on the wire for {raw} B raw ({BenchFigure.MedianOf(upload):0.0000}×); parameters {last.ParametersRead} B ({BenchFigure.MedianOf(fetch):0.0000}×)"));
        }
        return figures;
    }
}
