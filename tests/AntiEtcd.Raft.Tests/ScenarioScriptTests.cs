using System.Runtime.CompilerServices;
using System.Text;
using AntiEtcd.Raft.Tests.TestKit;

namespace AntiEtcd.Raft.Tests;

/// <summary>
/// Runs the readable scenario scripts in testdata/*.txt (after etcd-io/raft's datadriven tests). Each block is a
/// command, a line <c>----</c>, and the expected transcript, ended by a blank line. Lines starting with <c>#</c>
/// are comments. Set ANTIETCD_REWRITE_TESTDATA=1 to regenerate the transcripts, then review the diff.
/// </summary>
public sealed class ScenarioScriptTests
{
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(TestDataDirectory(), "*.txt").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script(string name)
    {
        var path = Path.Combine(TestDataDirectory(), name);
        var lines = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var env = new InteractionEnv();
        var rewritten = new StringBuilder();
        var failures = new StringBuilder();
        var i = 0;
        while (i < lines.Length)
        {
            var line = lines[i];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                rewritten.Append(line).Append('\n');
                i++;
                continue;
            }

            var command = line;
            i++;
            if (i >= lines.Length || lines[i] != "----")
            {
                throw new InvalidOperationException($"{name}:{i}: expected ---- after '{command}'");
            }

            i++;
            var expected = new StringBuilder();
            while (i < lines.Length && lines[i].Length > 0)
            {
                expected.Append(lines[i]).Append('\n');
                i++;
            }

            var actual = env.Handle(command) + "\n";
            if (actual != expected.ToString())
            {
                failures.Append($"{name}: '{command}'\n--- expected\n{expected}--- actual\n{actual}\n");
            }

            rewritten.Append(command).Append("\n----\n").Append(actual);
        }

        if (Environment.GetEnvironmentVariable("ANTIETCD_REWRITE_TESTDATA") == "1")
        {
            var text = rewritten.ToString().TrimEnd('\n') + "\n";
            File.WriteAllText(path, text);
            return;
        }

        Assert.True(failures.Length == 0, failures.ToString());
    }

    private static string TestDataDirectory([CallerFilePath] string source = "")
    {
        var dir = Path.Combine(Path.GetDirectoryName(source)!, "testdata");
        return Directory.Exists(dir) ? dir : Path.Combine(AppContext.BaseDirectory, "testdata");
    }
}
