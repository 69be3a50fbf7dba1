using System.Globalization;

namespace AntiEtcd.LoadGen;

/// <summary>Parsing of numeric command-line values, shared by the load generator and WatchBench (linked there).</summary>
internal static class OptionValues
{
    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>], or an error naming the option.</summary>
    public static int ParseInt(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            throw new ArgumentException($"--{name} must be an integer in [{min}, {max}], not '{value}'");
        }

        return n;
    }

    /// <summary>Seconds in [<paramref name="min"/>, 3600], or an error naming the option.</summary>
    public static double ParseSeconds(string name, string value, double min)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) || s < min || s > 3600)
        {
            throw new ArgumentException($"--{name} must be seconds in [{min}, 3600], not '{value}'");
        }

        return s;
    }
}
