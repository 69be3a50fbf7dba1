using System.Buffers.Binary;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>
/// Thousands of damaged images: <see cref="MvccStore.ReadSnapshot(ReadOnlySpan{byte})"/> throws
/// <see cref="InvalidDataException"/> and nothing else, and whatever it accepts is a consistent
/// store that writes back the very same image (the format is canonical).
/// </summary>
public sealed class SnapshotFuzzTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    [InlineData(5, true)]
    [InlineData(6, true)]
    public void MutatedImages_OnlyEverThrowInvalidDataException(int seed, bool fixChecksum)
    {
        // With the checksum fixed up after each mutation, the parser's own checks are what is
        // tested; without, the checksum must catch everything.
        var rng = new Random(seed);
        byte[][] images =
        [
            SnapshotTests.Image(SnapshotGoldenTests.TinyStore()),
            SnapshotTests.Image(SnapshotWorkload.Build(seed, 60)),
            SnapshotTests.Image(SnapshotWorkload.Build(seed + 10, 250)),
        ];
        int accepted = 0, refused = 0;
        for (var i = 0; i < 2500; i++)
        {
            var original = images[rng.Next(images.Length)];
            var image = Mutate(rng, original);
            if (fixChecksum && image.Length >= 5)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(image.Length - 4), Crc32C.Compute(image.AsSpan(0, image.Length - 4)));
            }

            MvccStore restored;
            try
            {
                restored = MvccStore.ReadSnapshot(image);
            }
            catch (InvalidDataException e)
            {
                Assert.StartsWith("store snapshot: offset ", e.Message, StringComparison.Ordinal);
                refused++;
                continue;
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed} iteration {i}: {e.GetType().Name} for {Convert.ToHexString(image)}: {e}");
                throw;
            }

            accepted++;
            Assert.True(fixChecksum || image.AsSpan().SequenceEqual(original), $"seed {seed} iteration {i}: a damaged image passed the checksum");
            restored.CheckConsistency();
            Assert.True(image.AsSpan().SequenceEqual(SnapshotTests.Image(restored)), $"seed {seed} iteration {i}: accepted image is not canonical");
        }

        Assert.True(refused > 2000, $"refused {refused}, accepted {accepted}");
    }

    private static byte[] Mutate(Random rng, byte[] original)
    {
        var image = (byte[])original.Clone();
        switch (rng.Next(7))
        {
            case 0:
                return image[..rng.Next(image.Length)];
            case 1:
                image[rng.Next(image.Length)] ^= (byte)(1 << rng.Next(8));
                return image;
            case 2:
                for (var n = rng.Next(1, 5); n > 0; n--)
                {
                    image[rng.Next(image.Length)] = (byte)rng.Next(256);
                }

                return image;
            case 3:
                image[rng.Next(image.Length)] = rng.Next(3) switch { 0 => 0x80, 1 => 0xFF, _ => 0x00 };
                return image;
            case 4:
            {
                var at = rng.Next(image.Length);
                return [.. image[..at], (byte)rng.Next(256), .. image[at..]];
            }

            case 5:
            {
                var at = rng.Next(image.Length);
                return [.. image[..at], .. image[Math.Min(image.Length, at + rng.Next(1, 4))..]];
            }

            default:
            {
                // A huge count or length in a random place.
                var at = rng.Next(1, image.Length - 1);
                byte[] huge = [0xFF, 0xFF, 0xFF, 0xFF, 0x07];
                return [.. image[..at], .. huge, .. image[at..]];
            }
        }
    }
}
