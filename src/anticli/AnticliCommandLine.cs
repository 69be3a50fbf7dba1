using System.Globalization;

namespace AntiEtcd.Cli;

/// <summary>
/// anticli's arguments (SPEC §12.1): options anywhere, <c>--</c> ends them, long names treat
/// <c>-</c> and <c>_</c> alike (and, as the original, ignore case), values and positional
/// arguments are kept exactly as given.
/// </summary>
internal sealed class AnticliCommandLine
{
    /// <summary>The commands, in the order the unknown-command message lists them.</summary>
    public const string SupportedCommands = "Supported commands: get, put, del, load, watch, status, lease. Use --help to see details";

    private static readonly string[] Commands = ["get", "put", "del", "load", "watch", "status", "lease"];

    /// <summary>Every option: its canonical long name, its short name, whether it takes a value, and the commands it applies to (null: all).</summary>
    private static readonly OptionSpec[] Specs =
    [
        new("endpoints", 'e', OptionArity.Value, null),
        new("cert", null, OptionArity.Value, null),
        new("key", null, OptionArity.Value, null),
        new("ca", null, OptionArity.Value, null),
        new("timeout", null, OptionArity.Value, null),
        new("json", null, OptionArity.Flag, null),
        new("write-out", 'w', OptionArity.Value, null),
        new("help", 'h', OptionArity.Flag, null),
        new("base64", null, OptionArity.OptionalBoolean, null),
        new("prefix", 'p', OptionArity.Flag, ["get", "del", "watch"]),
        new("print-value-only", 'v', OptionArity.Flag, ["get"]),
        new("keys-only", 'k', OptionArity.Flag, ["get"]),
        new("no-temp", null, OptionArity.Flag, ["get"]),
        new("revision", null, OptionArity.Value, ["get", "watch"]),
        new("lease", null, OptionArity.Value, ["put"]),
        new("with-lease", null, OptionArity.Flag, ["load"]),
        new("id", null, OptionArity.Value, ["lease grant"]),
        new("once", null, OptionArity.Flag, ["lease keepalive"]),
    ];

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private AnticliCommandLine()
    {
    }

    /// <summary>The command (<c>get</c>, …, <c>lease</c>), or null when none was given.</summary>
    public string? Command { get; private set; }

    /// <summary>For <c>lease</c>: <c>grant</c>, <c>revoke</c>, <c>keepalive</c> or <c>list</c>.</summary>
    public string? Subcommand { get; private set; }

    /// <summary>The positional arguments after the command (and subcommand), unchanged.</summary>
    public List<string> Arguments { get; } = [];

    public bool Help => Has("help");

    public bool Json => Has("json") || Has("write-out");

    public bool Prefix => Has("prefix");

    public bool PrintValueOnly => Has("print-value-only");

    public bool KeysOnly => Has("keys-only");

    public bool NoTemp => Has("no-temp");

    public bool WithLease => Has("with-lease");

    public bool Once => Has("once");

    public IReadOnlyList<Uri> Endpoints { get; private set; } = [new Uri("http://127.0.0.1:2379")];

    public TimeSpan Timeout { get; private set; } = TimeSpan.FromMilliseconds(10000);

    public string? CertFile => Get("cert");

    public string? KeyFile => Get("key");

    public string? CaFile => Get("ca");

    /// <summary><c>--revision</c>, or 0 when not given.</summary>
    public long Revision { get; private set; }

    /// <summary><c>--lease</c> of put, or 0.</summary>
    public long Lease { get; private set; }

    /// <summary><c>--id</c> of lease grant, or 0 (the server picks one).</summary>
    public long LeaseId { get; private set; }

    /// <summary>The <c>&lt;ttl&gt;</c> of lease grant, in seconds.</summary>
    public long Ttl { get; private set; }

    /// <summary>The <c>&lt;id&gt;</c> of lease revoke and lease keepalive.</summary>
    public long TargetLeaseId { get; private set; }

    /// <summary>Parses and checks the arguments; help wins over every other usage error but an unknown option.</summary>
    /// <exception cref="UsageException">Anything SPEC §12.1 calls a usage error.</exception>
    public static AnticliCommandLine Parse(IReadOnlyList<string> args)
    {
        var line = new AnticliCommandLine();
        var positional = new List<string>();
        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (optionsEnded || arg.Length < 2 || arg[0] != '-')
            {
                positional.Add(arg);
                continue;
            }

            if (arg == "--")
            {
                optionsEnded = true;
                continue;
            }

            string name;
            string? inlineValue = null;
            OptionSpec? spec;
            if (arg[1] == '-')
            {
                int eq = arg.IndexOf('=', StringComparison.Ordinal);
                name = NormalizeLongName(eq < 0 ? arg[2..] : arg[2..eq]);
                inlineValue = eq < 0 ? null : arg[(eq + 1)..];
                spec = Array.Find(Specs, s => s.Name == name);
            }
            else
            {
                name = arg;
                spec = arg.Length == 2 ? Array.Find(Specs, s => s.Short == arg[1]) : null;
            }

            if (spec is null)
            {
                throw new UsageException($"unknown option {arg}");
            }

            string value;
            switch (spec.Arity)
            {
                case OptionArity.Flag:
                    if (inlineValue is not null)
                    {
                        throw new UsageException($"option --{spec.Name} takes no value");
                    }

                    value = "";
                    break;
                case OptionArity.OptionalBoolean:
                    // --base64 is ignored (the wire is always base64); the original took a value, so eat one that looks like a boolean.
                    value = inlineValue ?? "";
                    if (inlineValue is null && i + 1 < args.Count && IsBooleanWord(args[i + 1]))
                    {
                        value = args[++i];
                    }

                    break;
                default:
                    if (inlineValue is not null)
                    {
                        value = inlineValue;
                    }
                    else if (i + 1 < args.Count)
                    {
                        value = args[++i];
                    }
                    else
                    {
                        throw new UsageException($"option --{spec.Name} needs a value");
                    }

                    break;
            }

            line._values[spec.Name] = value;
        }

        line.Assign(positional);
        if (line.Help)
        {
            return line;
        }

        line.Validate();
        return line;
    }

    /// <summary>The help text for the command given (or the general one).</summary>
    public string HelpText() => AnticliUsage.For(Command);

    private static string NormalizeLongName(string name) => name.Replace('_', '-').ToLowerInvariant();

    private static bool IsBooleanWord(string value) =>
        value.ToLowerInvariant() is "0" or "1" or "true" or "false" or "yes" or "no" or "on" or "off";

    /// <summary>Reads a lease ID: decimal, or hexadecimal after <c>0x</c> (SPEC §12.2).</summary>
    public static long ParseLeaseId(string text, string what)
    {
        bool ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long id) && text.Length > 2
            : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);
        if (!ok || id < 0)
        {
            throw new UsageException($"{what} should be a lease ID (decimal, or hexadecimal with 0x), not '{text}'");
        }

        return id;
    }

    private bool Has(string name) => _values.ContainsKey(name);

    private string? Get(string name) => _values.TryGetValue(name, out var value) ? value : null;

    private void Assign(List<string> positional)
    {
        if (positional.Count == 0)
        {
            return;
        }

        Command = positional[0];
        int first = 1;
        if (Command == "lease" && positional.Count > 1)
        {
            Subcommand = positional[1];
            first = 2;
        }

        Arguments.AddRange(positional.Skip(first));
    }

    private void Validate()
    {
        if (Command is null || Array.IndexOf(Commands, Command) < 0)
        {
            throw new UsageException(SupportedCommands) { Verbatim = true };
        }

        string scope = Command;
        if (Command == "lease")
        {
            if (Subcommand is null)
            {
                throw new UsageException("lease needs a subcommand: grant, revoke, keepalive or list");
            }

            if (Subcommand is not ("grant" or "revoke" or "keepalive" or "list"))
            {
                throw new UsageException($"unknown lease subcommand '{Subcommand}': use grant, revoke, keepalive or list");
            }

            scope = "lease " + Subcommand;
        }

        foreach (var name in _values.Keys)
        {
            var spec = Array.Find(Specs, s => s.Name == name)!;
            if (spec.Commands is not null && Array.IndexOf(spec.Commands, scope) < 0)
            {
                throw new UsageException($"option --{name} does not apply to {scope}");
            }
        }

        if (Get("write-out") is { } format && format != "json")
        {
            throw new UsageException($"--write-out supports only json, not '{format}'");
        }

        if (KeysOnly && PrintValueOnly)
        {
            throw new UsageException("-k (--keys-only) and -v (--print-value-only) cannot be used together");
        }

        if (Get("endpoints") is { } endpoints)
        {
            Endpoints = ParseEndpoints(endpoints);
        }

        if (Get("timeout") is { } timeout)
        {
            if (!int.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out int ms) || ms <= 0)
            {
                throw new UsageException($"--timeout should be a positive number of milliseconds, not '{timeout}'");
            }

            Timeout = TimeSpan.FromMilliseconds(ms);
        }

        if (Get("revision") is { } revision)
        {
            if (!long.TryParse(revision, NumberStyles.None, CultureInfo.InvariantCulture, out long rev))
            {
                throw new UsageException($"--revision should be a non-negative integer, not '{revision}'");
            }

            Revision = rev;
        }

        if (Get("lease") is { } lease)
        {
            Lease = ParseLeaseId(lease, "--lease");
        }

        if (Get("id") is { } id)
        {
            LeaseId = ParseLeaseId(id, "--id");
        }

        if ((CertFile is null) != (KeyFile is null))
        {
            throw new UsageException("--cert and --key must be given together");
        }

        CheckArgumentCount();
    }

    private void CheckArgumentCount()
    {
        var (min, max, shape) = (Command, Subcommand) switch
        {
            ("put", _) => (1, 2, "put <key> [<value>]"),
            ("get", _) => (1, int.MaxValue, "get <key> [<key>...]"),
            ("del", _) => (1, int.MaxValue, "del <key> [<key>...]"),
            ("watch", _) => (0, int.MaxValue, "watch [<key>...]"),
            ("load", _) => (0, 0, "load [--with-lease] < dump.json"),
            ("status", _) => (0, 0, "status"),
            (_, "grant") => (1, 1, "lease grant <ttl> [--id ID]"),
            (_, "revoke") => (1, 1, "lease revoke <id>"),
            (_, "keepalive") => (1, 1, "lease keepalive <id> [--once]"),
            _ => (0, 0, "lease list"),
        };
        if (Arguments.Count < min)
        {
            throw new UsageException($"missing argument: {shape}");
        }

        if (Arguments.Count > max)
        {
            throw new UsageException($"too many arguments ('{Arguments[max]}'): {shape}");
        }

        if (Subcommand == "grant")
        {
            if (!long.TryParse(Arguments[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long ttl))
            {
                throw new UsageException($"<ttl> should be a number of seconds, not '{Arguments[0]}'");
            }

            Ttl = ttl;
        }
        else if (Subcommand is "revoke" or "keepalive")
        {
            TargetLeaseId = ParseLeaseId(Arguments[0], "<id>");
        }
    }

    private static Uri[] ParseEndpoints(string text)
    {
        var parts = text.Split([',', ' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            throw new UsageException("--endpoints needs at least one URL");
        }

        var endpoints = new Uri[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!Uri.TryCreate(parts[i], UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new UsageException($"endpoint '{parts[i]}' should be an http:// or https:// URL");
            }

            endpoints[i] = uri;
        }

        return endpoints;
    }

    private enum OptionArity
    {
        Flag,
        Value,
        OptionalBoolean,
    }

    private sealed record OptionSpec(string Name, char? Short, OptionArity Arity, string[]? Commands);
}
