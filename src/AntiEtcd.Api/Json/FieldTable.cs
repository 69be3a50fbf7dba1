using System.Text;

namespace AntiEtcd.Api.Json;

/// <summary>
/// The known fields of one message: each is matched under its snake_case name and its
/// lowerCamelCase alias (SPEC §3.3). The index of a name in the constructor is its field ID.
/// </summary>
/// <remarks>Immutable after construction; shared by all threads.</remarks>
internal sealed class FieldTable
{
    private readonly byte[][] _snake;
    private readonly byte[][] _camel;

    public FieldTable(params string[] snakeNames)
    {
        Names = snakeNames;
        _snake = new byte[snakeNames.Length][];
        _camel = new byte[snakeNames.Length][];
        for (int i = 0; i < snakeNames.Length; i++)
        {
            _snake[i] = Encoding.UTF8.GetBytes(snakeNames[i]);
            _camel[i] = Encoding.UTF8.GetBytes(ToLowerCamel(snakeNames[i]));
        }
    }

    /// <summary>The snake_case names, used in error paths.</summary>
    public string[] Names { get; }

    public int Count => _snake.Length;

    /// <summary>The field ID of an unescaped property name, or -1 for an unknown field.</summary>
    public int Match(ReadOnlySpan<byte> name)
    {
        for (int i = 0; i < _snake.Length; i++)
        {
            if (name.SequenceEqual(_snake[i]) || name.SequenceEqual(_camel[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>SPEC §3.3: remove each underscore and upper-case the letter after it.</summary>
    internal static string ToLowerCamel(string snake)
    {
        var builder = new StringBuilder(snake.Length);
        bool upper = false;
        foreach (char c in snake)
        {
            if (c == '_')
            {
                upper = true;
                continue;
            }

            builder.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return builder.ToString();
    }
}
