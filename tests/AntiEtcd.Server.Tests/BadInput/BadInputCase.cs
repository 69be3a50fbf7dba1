namespace AntiEtcd.Server.Tests.BadInput;

/// <summary>
/// One bad request and the exact answer SPEC §3.2/§3.6 gives it. <see cref="Error"/> null means
/// the body is not checked (a success, or a HEAD reply, which has no body).
/// </summary>
public sealed record BadInputCase(string Group, string Name, string Method, string Path, byte[]? Body, int Status, string? Error = null, int Code = 3)
{
    /// <summary>The <c>Allow</c> header SPEC requires, if any.</summary>
    public string? Allow { get; init; }

    /// <summary>Extra request headers (Host, Origin, …).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Send the body with <c>Transfer-Encoding: chunked</c> instead of a Content-Length.</summary>
    public bool Chunked { get; init; }

    /// <summary>Other answers SPEC allows, where it does not pin one down: (status, error or null for any body).</summary>
    public IReadOnlyList<(int Status, string? Error)> Also { get; init; } = [];

    /// <summary>A known server bug: the case is skipped with this text until it is fixed.</summary>
    public string? Bug { get; init; }

    /// <summary>A substring the success body must contain (for 200 cases).</summary>
    public string? BodyContains { get; init; }
}
