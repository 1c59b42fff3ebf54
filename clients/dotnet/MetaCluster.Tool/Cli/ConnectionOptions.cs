using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MetaCluster.Client;

namespace MetaCluster.Tool.Cli;

/// <summary>
/// The options every verb takes: where the coordinator is, the credentials, and the output format.
/// <c>--coordinator</c> and <c>--token</c> fall back to METACLUSTER_COORDINATOR and METACLUSTER_TOKEN.
/// </summary>
public sealed class ConnectionOptions
{
    /// <summary>Where a coordinator serves when nothing else says (<c>Coordinator serve</c>'s default <c>--api</c>).</summary>
    public const string DefaultCoordinator = "http://127.0.0.1:7100";

    private readonly Func<string, string?> environment;

    /// <summary>The options, reading defaults from <paramref name="environment"/>.</summary>
    public ConnectionOptions(Func<string, string?> environment)
    {
        this.environment = environment;
        Output.AcceptOnlyFromAmong("text", "json");
    }

    /// <summary><c>--coordinator URL</c>.</summary>
    public Option<string?> Coordinator { get; } = new("--coordinator")
    {
        Description = $"The coordinator's API URL [env METACLUSTER_COORDINATOR; default {DefaultCoordinator}]", HelpName = "URL", Recursive = true,
    };

    /// <summary><c>--token T</c>.</summary>
    public Option<string?> Token { get; } = new("--token")
    {
        Description = "The coordinator's user token, sent as a bearer token [env METACLUSTER_TOKEN]", HelpName = "TOKEN", Recursive = true,
    };

    /// <summary><c>--output text|json</c>.</summary>
    public Option<string> Output { get; } = new("--output")
    {
        Description = "text for people; json for programs (one document per command, one object per line for watch)",
        DefaultValueFactory = _ => "text", Recursive = true,
    };

    /// <summary><c>--tls-ca FILE</c>.</summary>
    public Option<string?> TlsCa { get; } = new("--tls-ca")
    {
        Description = "PEM certificate of the authority that issued the coordinator's certificate (https://, private CA)", HelpName = "FILE", Recursive = true,
    };

    /// <summary><c>--tls-cert FILE</c>.</summary>
    public Option<string?> TlsCert { get; } = new("--tls-cert")
    {
        Description = "PEM client certificate for mTLS (with --tls-key)", HelpName = "FILE", Recursive = true,
    };

    /// <summary><c>--tls-key FILE</c>.</summary>
    public Option<string?> TlsKey { get; } = new("--tls-key")
    {
        Description = "PEM private key of --tls-cert", HelpName = "FILE", Recursive = true,
    };

    /// <summary>Adds the options to the root command (they apply to every verb).</summary>
    public void AddTo(Command root)
    {
        foreach (var option in new Option[] { Coordinator, Token, Output, TlsCa, TlsCert, TlsKey }) root.Add(option);
    }

    /// <summary>True for <c>--output json</c>.</summary>
    public bool Json(ParseResult parse) => parse.GetValue(Output) == "json";

    /// <summary>A client of the coordinator the options name.</summary>
    public MetaClusterClient Connect(ParseResult parse)
    {
        string address = parse.GetValue(Coordinator) ?? NonEmpty(environment("METACLUSTER_COORDINATOR")) ?? DefaultCoordinator;
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UsageException($"--coordinator must be an http(s) URL like {DefaultCoordinator}; got '{address}'");
        string? cert = parse.GetValue(TlsCert), key = parse.GetValue(TlsKey), ca = parse.GetValue(TlsCa);
        if ((cert is null) != (key is null)) throw new UsageException("--tls-cert and --tls-key go together");
        if ((cert ?? ca) is not null && uri.Scheme != "https") throw new UsageException("--tls-cert and --tls-ca need an https:// --coordinator");
        var options = new MetaClusterClientOptions
        {
            Token = parse.GetValue(Token) ?? NonEmpty(environment("METACLUSTER_TOKEN")),
            ClientCertificate = cert is null ? null : Load("--tls-cert", () => X509Certificate2.CreateFromPemFile(cert, key)),
            ServerCertificateAuthority = ca is null ? null : Load("--tls-ca", () => X509Certificate2.CreateFromPemFile(ca)),
        };
        return new MetaClusterClient(uri, options);
    }

    private static X509Certificate2 Load(string option, Func<X509Certificate2> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is IOException or CryptographicException or UnauthorizedAccessException or ArgumentException)
        {
            throw new UsageException($"{option}: {e.Message}");
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
