namespace AntiEtcd.Server.Tests.Golden;

/// <summary>One step of a replay scene, parsed from <c>golden-replay.txt</c>.</summary>
internal sealed class GoldenStep
{
    /// <summary>What the step does.</summary>
    public GoldenStepKind Kind { get; init; }

    /// <summary>The scene it belongs to (empty for skipped captures).</summary>
    public string Scene { get; init; } = "";

    /// <summary>The capture name (Run, Skip).</summary>
    public string Capture { get; init; } = "";

    /// <summary><c>applies</c>, <c>applies-status-only</c> or <c>differs</c> (Run, Skip).</summary>
    public string Class { get; init; } = "";

    /// <summary>The method really sent, when the capture's request line is wrong.</summary>
    public string? Method { get; set; }

    /// <summary>The Content-Type really sent: null = as recorded, "none" = no header.</summary>
    public string? ContentType { get; set; }

    /// <summary>Our expected status when it is not etcd's (differs).</summary>
    public int? OurStatus { get; set; }

    /// <summary>The <c>Allow</c> header we must send.</summary>
    public string? Allow { get; set; }

    /// <summary>True when the response's lease ID is the server's choice: it becomes an alias of etcd's.</summary>
    public bool AliasLeaseId { get; set; }

    /// <summary>Our expected body: JSON (normalized like etcd's), or <c>@golden</c>, <c>@not-found</c>, <c>@leases-ascending</c>.</summary>
    public string? Expect { get; set; }

    /// <summary>A known server bug: the capture's test is skipped with this text.</summary>
    public string? Bug { get; set; }

    /// <summary>The SPEC section or note after <c>--</c>.</summary>
    public string Reason { get; init; } = "";

    /// <summary>Do: the request path.</summary>
    public string Path { get; init; } = "";

    /// <summary>Do: the request body.</summary>
    public string Body { get; init; } = "";

    /// <summary>Advance: milliseconds.</summary>
    public int Milliseconds { get; init; }

    /// <summary>The line number, for messages.</summary>
    public int Line { get; init; }
}
