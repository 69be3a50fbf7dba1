namespace AntiEtcd.Client;

/// <summary>Settings of an <see cref="AntiEtcdClient"/>.</summary>
public sealed class AntiEtcdClientOptions
{
    /// <summary>The default endpoint, as anticli's <c>--endpoints</c> default (SPEC §12.1).</summary>
    public static readonly Uri DefaultEndpoint = new("http://127.0.0.1:2379");

    /// <summary>
    /// The endpoints (<c>http://</c> or <c>https://</c> base URLs), tried in order starting from the
    /// one that last worked. Default: <c>http://127.0.0.1:2379</c>.
    /// </summary>
    public IReadOnlyList<Uri> Endpoints { get; set; } = [DefaultEndpoint];

    /// <summary>
    /// Timeout of one attempt on one endpoint (connect, send and answer). Default 10 s, longer than
    /// the server's outcome deadlines (SPEC §8.4) so that the server's answer normally arrives first.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A client certificate: a PEM file path, or PEM text starting with <c>-----</c>. Needs <see cref="KeyFile"/>.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>The private key of <see cref="CertificateFile"/>: a PEM file path or PEM text.</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// CA certificates (PEM file path or PEM text) that server certificates must chain to. Without it
    /// the system trust store is used.
    /// </summary>
    public string? CaFile { get; set; }

    /// <summary>Delay before a watch reconnects after losing its connection (SPEC §12.2: 1 s).</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The clock for timeouts and delays; tests may replace it.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
