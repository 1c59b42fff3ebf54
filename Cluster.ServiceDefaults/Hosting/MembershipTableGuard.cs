using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using Orleans.Runtime;
using StackExchange.Redis;

namespace MetaCluster.ServiceDefaults.Hosting;

/// <summary>
/// Puts the Redis membership table back when Redis lost it (a restart without persistence, as the
/// project's scripts and chart run it, or an evicted key). Orleans' Redis provider then only reports
/// "The Redis membership table version is missing": silos keep their last view, a new silo forms a
/// cluster of its own and a dead one is never declared dead, because every write needs the table.
/// Each silo keeps a copy of the table as it last read it with its own row in it; once the table
/// lacks the version or this silo's row (Orleans never deletes an active silo's row), the copy's
/// missing rows are written back in one atomic script, under a version above any a silo has seen,
/// and membership is read again, so every silo, old or new, sees one cluster again.
/// </summary>
internal sealed partial class MembershipTableGuard(
    ClusterMembershipSettings settings, IOptions<ClusterOptions> cluster, ILocalSiloDetails silo, IClusterMembershipService membership,
    ILogger<MembershipTableGuard> logger) : BackgroundService
{
    private const string VersionField = "Version";

    // Other silos may have read a few versions more than this one's copy holds: the restored
    // table must look newer to all of them, or they keep their old view until the next write.
    private const int VersionGap = 100;

    // Restores the rows the table lacks (HSETNX: a row present now is newer than the copy) and
    // raises the version when anything was restored. ARGV[1]: the least new version; then pairs.
    private const string RestoreScript = """
        local current = tonumber(redis.call('HGET', KEYS[1], 'Version') or '-1')
        local restored = 0
        for i = 2, #ARGV, 2 do
          restored = restored + redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
        end
        if restored == 0 and current >= 0 then return 0 end
        redis.call('HSET', KEYS[1], 'Version', tostring(math.max(current + 1, tonumber(ARGV[1]))))
        return restored
        """;

    /// <summary>How often the table is read.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var configuration = ConfigurationOptions.Parse(settings.Redis);
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = 2000;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        var db = redis.GetDatabase();
        var key = RedisClusteringOptions.DefaultCreateRedisKey(cluster.Value);
        string me = silo.SiloAddress.ToString();
        HashEntry[]? copy = null;
        bool failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Period, stoppingToken);
                var table = await db.HashGetAllAsync(key);
                failing = false;
                int? version = Version(table);
                if (version is { } v && table.Any(e => e.Name == me))
                {
                    copy = table;
                    // A restore by another silo raises the version without gossip: read it now.
                    if (v > membership.CurrentSnapshot.Version.Value) await membership.Refresh(default, stoppingToken);
                    continue;
                }
                // Not in the table yet (joining) or leaving it: nothing of ours was lost.
                if (copy is null || membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress) != SiloStatus.Active) continue;
                await RestoreAsync(db, key, copy, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException or OrleansException)
            {
                // Redis is down: Orleans reports that loudly enough; say it once here.
                if (!failing) LogUnreachable(e.Message);
                failing = true;
            }
        }
    }

    private async Task RestoreAsync(IDatabase db, RedisKey key, HashEntry[] copy, CancellationToken cancellationToken)
    {
        var rows = copy.Where(e => e.Name != VersionField).ToArray();
        var args = new RedisValue[1 + 2 * rows.Length];
        args[0] = (Version(copy) ?? 0) + VersionGap;
        for (int i = 0; i < rows.Length; i++)
        {
            args[1 + 2 * i] = rows[i].Name;
            args[2 + 2 * i] = rows[i].Value;
        }
        long restored = (long)await db.ScriptEvaluateAsync(RestoreScript, [key], args);
        if (restored > 0) LogRestored(restored, rows.Length);
        await membership.Refresh(default, cancellationToken);
    }

    private static int? Version(HashEntry[] table)
    {
        foreach (var e in table)
            if (e.Name == VersionField && int.TryParse(e.Value.ToString(), System.Globalization.CultureInfo.InvariantCulture, out int v))
                return v;
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Redis membership table had lost rows (Redis restarted empty?): restored {Restored} of the {Known} this silo knew")]
    private partial void LogRestored(long restored, int known);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read the Redis membership table: {Reason}")]
    private partial void LogUnreachable(string reason);
}
