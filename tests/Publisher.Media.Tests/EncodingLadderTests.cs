using NetVips;
using Publisher.Media.Processing;

namespace Publisher.Media.Tests;

/// <summary>
/// The quality search predicts the rung to try from the best encoding's size, then walks: whatever the prediction, it
/// must answer exactly what trying every rung from the best down would answer (the best encoding within the limit, or
/// none), for limits that fall on, between, above and below the rungs' sizes, and for images that compress well or badly.
/// </summary>
public sealed class EncodingLadderTests
{
    /// <summary>Each image with the real prediction, one that expects far too little shrinking and one far too much.</summary>
    public static TheoryData<string, double> Cases() => new()
    {
        { "smooth", 0.64 }, { "noisy", 0.64 }, { "smooth", 0.1 }, { "noisy", 0.1 }, { "smooth", 3.0 }, { "noisy", 3.0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_predicted_search_finds_the_same_encoding_as_trying_every_rung(string kind, double sizeExponent)
    {
        using var image = MakeImage(kind);
        using (var reference = new DerivativeMaker.EncodingLadder(image.Copy(), MediaTypes.Jpeg))
        {
            var sizes = Enumerable.Range(0, reference.Rungs).Select(r => reference.Encode(r).LongLength).ToArray();
            for (var r = 1; r < sizes.Length; r++)
                Assert.True(sizes[r] <= sizes[r - 1], $"rung {r} ({sizes[r]} bytes) is bigger than rung {r - 1} ({sizes[r - 1]})");

            var limits = sizes.SelectMany(s => new[] { s, s - 1, s + 1 }).Append(sizes[^1] / 2).Append(sizes[0] * 2);
            foreach (var limit in limits)
            {
                var expected = Enumerable.Range(0, sizes.Length).Cast<int?>().FirstOrDefault(r => sizes[r!.Value] <= limit);
                using var ladder = new DerivativeMaker.EncodingLadder(image.Copy(), MediaTypes.Jpeg, sizeExponent);
                var found = ladder.FirstFitting(limit);
                if (expected is null)
                    Assert.Null(found);
                else
                {
                    Assert.NotNull(found);
                    Assert.Equal(reference.Encode(expected.Value), found);
                }
                Assert.True(ladder.Encodings <= ladder.Rungs);
            }
        }
    }

    [Fact]
    public void A_png_ladder_answers_the_full_encoding_then_the_palette_one_then_none()
    {
        using var image = MakeImage("noisy");
        using var reference = new DerivativeMaker.EncodingLadder(image.Copy(), MediaTypes.Png);
        long full = reference.Encode(0).LongLength, palette = reference.Encode(1).LongLength;
        Assert.True(palette < full);
        using (var ladder = new DerivativeMaker.EncodingLadder(image.Copy(), MediaTypes.Png))
            Assert.Equal(reference.Encode(0), ladder.FirstFitting(full));
        using (var ladder = new DerivativeMaker.EncodingLadder(image.Copy(), MediaTypes.Png))
            Assert.Equal(reference.Encode(1), ladder.FirstFitting(full - 1));
        using (var ladder = new DerivativeMaker.EncodingLadder(image.Copy(), MediaTypes.Png))
            Assert.Null(ladder.FirstFitting(palette - 1));
    }

    /// <summary>A 640 x 480 sRGB image: smooth gradients (compresses well) or noise (compresses badly).</summary>
    private static Image MakeImage(string kind)
    {
        using var x = Image.Xyz(640, 480);
        using var band = kind == "smooth"
            ? (x[0] * 0.3 + x[1] * 0.2 + 20).Cast(Enums.BandFormat.Uchar)
            : Image.Gaussnoise(640, 480, sigma: 50, mean: 128).Cast(Enums.BandFormat.Uchar);
        using var rgb = band.Bandjoin(band.Flip(Enums.Direction.Horizontal), band.Flip(Enums.Direction.Vertical));
        return rgb.Copy(interpretation: Enums.Interpretation.Srgb).CopyMemory();
    }
}
