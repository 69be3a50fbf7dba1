using System.Text;

namespace AntiEtcd.Host;

/// <summary>
/// The one line that a start or run-time failure prints (SPEC §11.4). The library's messages are
/// written for embedders: they name <see cref="AntiEtcd.Server.AntiEtcdOptions"/> properties
/// (<c>option HeartbeatTimeout: …</c>) and <see cref="ArgumentException"/> appends
/// <c>(Parameter '…')</c>, on a line of its own when the message ends with a line break. An operator
/// typed <c>--heartbeat_timeout</c>, and SPEC §11.2 gives <c>use_base64=0 is not supported</c>
/// word for word, so the command line gets the option's own name and a single line.
/// </summary>
internal static class StartFailureMessage
{
    public static string Describe(Exception ex)
    {
        var message = ex.Message;
        if (ex is ArgumentException { ParamName: { Length: > 0 } param })
        {
            message = message.Replace($" (Parameter '{param}')", "", StringComparison.Ordinal);
            var option = ToOptionName(param);
            message = message.Replace($"option {param}:", $"option --{option}:", StringComparison.Ordinal);
        }

        // Runtime messages (assembly loading, I/O) may hold line breaks: one line, as SPEC §11.4 says.
        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary><c>HeartbeatTimeout</c> → <c>heartbeat_timeout</c>; a name that is already snake_case stays as it is.</summary>
    private static string ToOptionName(string property)
    {
        var name = new StringBuilder(property.Length + 4);
        for (var i = 0; i < property.Length; i++)
        {
            var c = property[i];
            if (char.IsAsciiLetterUpper(c))
            {
                if (i > 0 && char.IsAsciiLetterLower(property[i - 1]))
                {
                    name.Append('_');
                }

                name.Append(char.ToLowerInvariant(c));
            }
            else
            {
                name.Append(c);
            }
        }

        return name.ToString();
    }
}
