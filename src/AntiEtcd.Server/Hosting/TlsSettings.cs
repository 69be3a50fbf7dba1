using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace AntiEtcd.Server.Hosting;

/// <summary>The listener's TLS settings of SPEC §10.1 and §10.2 (<c>peer_ca</c>), loaded once at start.</summary>
internal sealed class TlsSettings
{
    /// <summary>The TLS server authentication purpose (id-kp-serverAuth).</summary>
    internal static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    private readonly X509Certificate2 _certificate;
    private readonly X509Certificate2Collection? _clientCa;
    private readonly X509Certificate2Collection? _peerCa;
    private readonly bool _requireClientCertificate;

    private TlsSettings(X509Certificate2 certificate, X509Certificate2Collection? clientCa, X509Certificate2Collection? peerCa, bool requireClientCertificate)
    {
        _certificate = certificate;
        _clientCa = clientCa;
        _peerCa = peerCa;
        _requireClientCertificate = requireClientCertificate;
    }

    /// <summary>Loads the settings, or returns null when the node serves plain HTTP.</summary>
    /// <exception cref="ArgumentException">A file that cannot be read or parsed; the message names the option.</exception>
    public static TlsSettings? Load(AntiEtcdOptions options)
    {
        if (options.Cert is null || options.Key is null)
        {
            return null;
        }

        var certificate = LoadCertificate(options.Cert, options.Key, "cert", "key");
        var ca = LoadCaCertificates(options.Ca, "ca");
        var peerCa = LoadCaCertificates(options.PeerCa, "peer_ca");
        return new TlsSettings(certificate, ca, peerCa, options.ClientCertAuth);
    }

    /// <summary>
    /// SPEC §10.2: whether the connection of <paramref name="context"/> may open <c>/antietcd/peer</c>. True when
    /// <c>peer_ca</c> is not set; otherwise the TLS client certificate must chain to <c>peer_ca</c>.
    /// </summary>
    /// <param name="context">The upgrade request.</param>
    /// <param name="tls">The listener's settings; null on a plain-HTTP listener, which cannot have <c>peer_ca</c>
    /// (option validation refuses <c>peer_ca</c> without <c>cert</c>/<c>key</c>).</param>
    internal static bool IsPeerCertificateAccepted(HttpContext context, TlsSettings? tls)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (tls?._peerCa is null)
        {
            return true;
        }

        return context.Connection.ClientCertificate is { } certificate && tls.ChainsToPeerCa(certificate);
    }

    /// <summary>True when a client certificate chains to the configured <c>ca</c>.</summary>
    public bool ChainsToCa(X509Certificate2 certificate) => ChainsTo(certificate, _clientCa, extra: null, purpose: null);

    /// <summary>True when a client certificate chains to the configured <c>peer_ca</c>.</summary>
    public bool ChainsToPeerCa(X509Certificate2 certificate) => ChainsTo(certificate, _peerCa, extra: null, purpose: null);

    /// <summary>Applies the settings to a Kestrel HTTPS endpoint.</summary>
    public void Configure(HttpsConnectionAdapterOptions https)
    {
        https.ServerCertificate = _certificate;
        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        https.CheckCertificateRevocation = false;
        if (_requireClientCertificate)
        {
            // SPEC §10.1: the path is not known during the handshake, so a peer's certificate must pass too.
            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            https.ClientCertificateValidation = (certificate, _, _) => ChainsToCa(certificate) || ChainsToPeerCa(certificate);
        }
        else if (_peerCa is not null)
        {
            // SPEC §10.2: request a certificate so /antietcd/peer can check it, but let every client in; the
            // check belongs to the path (IsPeerCertificateAccepted), which the handshake does not know yet.
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.ClientCertificateValidation = static (_, _, _) => true;
        }
    }

    /// <summary>Loads a certificate with its private key from PEM options, in a form the platform's TLS stack can use.</summary>
    /// <exception cref="ArgumentException">A file that cannot be read or parsed; the message names both options.</exception>
    internal static X509Certificate2 LoadCertificate(string cert, string key, string certOption, string keyOption)
    {
        var certPem = ReadPem(cert, certOption);
        var keyPem = ReadPem(key, keyOption);
        try
        {
            using var pem = X509Certificate2.CreateFromPem(certPem, keyPem);
            // Kestrel and SslStream need the key in a form the platform's TLS stack can use.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new ArgumentException($"option {certOption}/{keyOption}: cannot load the certificate and key: {ex.Message}", certOption, ex);
        }
    }

    /// <summary>Loads the CA certificates of a PEM option; null when the option is not set.</summary>
    /// <exception cref="ArgumentException">A file that cannot be read or parsed, or that holds no certificate.</exception>
    internal static X509Certificate2Collection? LoadCaCertificates(string? value, string option)
    {
        if (value is null)
        {
            return null;
        }

        var pem = ReadPem(value, option);
        X509Certificate2Collection certificates = [];
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException($"option {option}: cannot load the CA certificates: {ex.Message}", option, ex);
        }

        if (certificates.Count == 0)
        {
            throw new ArgumentException($"option {option}: cannot load the CA certificates: no PEM certificate found", option);
        }

        return certificates;
    }

    /// <summary>
    /// Whether <paramref name="certificate"/> chains to one of <paramref name="roots"/> and to nothing else: the system
    /// roots are not trusted here. <paramref name="extra"/> supplies intermediates the peer sent.
    /// </summary>
    internal static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection? roots, X509Certificate2Collection? extra, Oid? purpose)
    {
        if (roots is null || roots.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (extra is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(extra);
        }

        if (purpose is not null)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(purpose);
        }

        var built = chain.Build(certificate);
        foreach (var element in chain.ChainElements)
        {
            if (!ReferenceEquals(element.Certificate, certificate))
            {
                element.Certificate.Dispose();
            }
        }

        return built;
    }

    /// <summary>A PEM option's text: the value itself when it starts with <c>-----</c>, else the file it names.</summary>
    internal static string ReadPem(string value, string option)
    {
        if (value.StartsWith("-----", StringComparison.Ordinal))
        {
            return value;
        }

        try
        {
            return File.ReadAllText(value);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ArgumentException($"option {option}: cannot read {value}: {ex.Message}", option, ex);
        }
    }
}
