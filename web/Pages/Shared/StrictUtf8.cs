using System.Text;

namespace Publisher.Web.Pages.Shared;

/// <summary>
/// Reads an uploaded file as UTF-8 and refuses it, naming the line, where it is not: decoding leniently turned
/// the letters of a Latin-1 or Windows-1252 file (Excel's plain "CSV" format) into U+FFFD and imported them so.
/// Publisher does not guess another encoding: a wrong guess changes letters silently, and saving as UTF-8 is
/// one choice in every spreadsheet's Save As.
/// </summary>
public static class StrictUtf8
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The text (without a byte-order mark), or the first line that is not UTF-8 and what to do.</summary>
    /// <param name="bytes">The file.</param>
    /// <param name="what">What the file is, for the message ("CSV file").</param>
    /// <param name="saveAs">How to save it as UTF-8, for the message.</param>
    public static (string? Text, int Line, string? Problem) Decode(ReadOnlySpan<byte> bytes, string what, string saveAs)
    {
        var start = bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        try
        {
            return (Strict.GetString(bytes[start..]), 0, null);
        }
        catch (DecoderFallbackException e)
        {
            var at = start + Math.Max(0, e.Index);
            var line = 1 + bytes[..Math.Min(at, bytes.Length)].Count((byte)'\n');
            var shown = at < bytes.Length ? $" (byte 0x{bytes[at]:X2})" : "";
            return (null, line, $"Line {line} of the {what} is not UTF-8{shown}: it was probably saved as Latin-1 or Windows-1252. " +
                                $"Nothing was imported: {saveAs} and import it again.");
        }
    }
}
