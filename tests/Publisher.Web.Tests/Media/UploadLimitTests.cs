using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NetVips;
using Publisher.Core.Domain;
using Publisher.Web.Tests.Messages;

namespace Publisher.Web.Tests.Media;

/// <summary>
/// What POST /api/media refuses, as the JSON API answers it: each refusal is a problem document with its code and a
/// message that says what to do, and nothing is left behind: no asset, no blob, no derivative, no temporary file.
/// The app's limits are small (1 MB images, 2 MB uploads, 4 megapixels) so going over them is cheap.
/// </summary>
public sealed class UploadLimitTests(SmallMediaLimitsWebApp app) : IClassFixture<SmallMediaLimitsWebApp>
{
    private Task<(int Assets, int Blobs, int Derivatives)> CountsAsync() => Editor.WithDbAsync(app, async db =>
        (await db.MediaAssets.CountAsync(), await db.MediaBlobs.CountAsync(), await db.MediaDerivatives.CountAsync()));

    private void AssertNoTemporaryFileLeft() =>
        Assert.Empty(Directory.EnumerateFileSystemEntries(app.MediaTempFolder));

    /// <summary>The problem document's code (null when the site's input guard refused before the upload ran) and its detail.</summary>
    private static async Task<(string? Code, string Detail)> RefusalAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True("application/problem+json" == response.Content.Headers.ContentType?.MediaType, text);
        var body = JsonDocument.Parse(text).RootElement;
        return (body.TryGetProperty("code", out var code) ? code.GetString() : null, body.GetProperty("detail").GetString()!);
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpClient client, HttpContent content, string name)
    {
        var html = await client.GetStringAsync("/Messages/New");
        var token = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "name=\"request-verification-token\" content=\"([^\"]+)\"").Groups[1].Value);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/media?name={Uri.EscapeDataString(name)}") { Content = content };
        request.Headers.Add("RequestVerificationToken", token);
        return request;
    }

    /// <summary>A JPEG's bytes and then noise, for as long as it is read: a stream with no length, sent chunked.</summary>
    private sealed class EndlessJpeg(byte[] start) : Stream
    {
        public long Served { get; private set; }
        public override int Read(byte[] buffer, int offset, int count)
        {
            for (var i = 0; i < count; i++)
                buffer[offset + i] = Served + i < start.Length ? start[Served + i] : (byte)(Served + i);
            Served += count;
            return count;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Served; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task An_upload_with_no_length_is_refused_at_the_limit_without_reading_on_and_nothing_is_stored()
    {
        var client = await app.SignedInAsync(Roles.Marketer);
        var before = await CountsAsync();
        var endless = new EndlessJpeg(MediaUploadTests.Jpeg(64, 48, 1));
        var content = new StreamContent(endless, 64 * 1024);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        Assert.Null(content.Headers.ContentLength); // chunked: the server learns the size only by reading
        using var request = await RequestAsync(client, content, "endless.jpg");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var (code, message) = await RefusalAsync(response);
        Assert.Equal("too-large", code);
        Assert.Equal("“endless.jpg” is larger than 1 MB; the most Publisher takes for an image is 1 MB. Save it smaller (fewer pixels or more compression) and upload it again.", message);
        // The server stopped at the image limit: what the client had pushed by then is far from what it would have sent.
        Assert.InRange(endless.Served, 1024 * 1024, 32 * 1024 * 1024);
        Assert.Equal(before, await CountsAsync());
        AssertNoTemporaryFileLeft();
    }

    [Fact]
    public async Task Each_refusal_through_the_api_says_what_to_do_and_leaves_nothing_behind()
    {
        var client = await app.SignedInAsync(Roles.Marketer);
        var before = await CountsAsync();
        var jpeg = MediaUploadTests.Jpeg(64, 48, 2);
        // A JPEG with 1.5 MB after its end: over the 1 MB an image may be; sent as a file of no stated type it is read
        // (under the 2 MB any upload may be) and refused once its bytes show an image.
        var padded = jpeg.Concat(new byte[1536 * 1024]).ToArray();
        byte[] bigPicture;
        using (var black = Image.Black(2100, 2000))
            bigPicture = black.PngsaveBuffer(); // 4.2 megapixels in a few KB
        var cases = new (byte[] Bytes, string Name, string Type, HttpStatusCode Status, string? Code, string Says)[]
        {
            (padded, "padded.jpg", "application/octet-stream", HttpStatusCode.RequestEntityTooLarge, "too-large", "is 1.5 MB; the most Publisher takes for an image is 1 MB"),
            (padded, "declared.jpg", "image/jpeg", HttpStatusCode.RequestEntityTooLarge, "too-large", "is 1.5 MB; the most Publisher takes for an image is 1 MB"),
            (jpeg.Concat(new byte[3 * 1024 * 1024]).ToArray(), "clip.mp4", "video/mp4", HttpStatusCode.RequestEntityTooLarge, "too-large", "the most Publisher takes for a video is 2 MB. Shorten or compress"),
            (bigPicture, "huge.png", "image/png", HttpStatusCode.UnprocessableEntity, "too-many-pixels", "the most Publisher takes is 4 megapixels"),
            (jpeg, "photo\0.jpg", "image/jpeg", HttpStatusCode.BadRequest, null, "contains a NUL character"), // the site's guard, before the upload
            (jpeg, "photo\u0007.jpg", "image/jpeg", HttpStatusCode.BadRequest, "name-control", "rename the file"),
            (jpeg, "photo\u202Egpj.exe", "image/jpeg", HttpStatusCode.BadRequest, "name-control", "rename the file"),
            (jpeg, "..\\..\\boot.jpg", "image/jpeg", HttpStatusCode.BadRequest, "name-path", "upload the file itself"),
            (jpeg, "..", "image/jpeg", HttpStatusCode.BadRequest, "name-path", "upload the file itself"),
            (jpeg, "etc\uFF0Fphoto.jpg", "image/jpeg", HttpStatusCode.BadRequest, "name-path", "upload the file itself"),
            (jpeg, new string('a', 300) + ".jpg", "image/jpeg", HttpStatusCode.BadRequest, "name-long", "rename it to at most 200"),
            ("GIF89a"u8.ToArray(), "cut.gif", "image/gif", HttpStatusCode.UnprocessableEntity, "corrupt", "damaged"),
            ("<?xml version=\"1.0\"?><!-- a logo --><svg onload=\"alert(1)\"/>"u8.ToArray(), "logo.png", "image/png", HttpStatusCode.UnprocessableEntity, "svg", "export it as PNG"),
            ("%PDF-1.7\n"u8.ToArray(), "flyer.jpg", "image/jpeg", HttpStatusCode.UnprocessableEntity, "unsupported", "convert it"),
        };
        foreach (var (bytes, name, type, status, code, says) in cases)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(type);
            using var request = await RequestAsync(client, content, name);
            using var response = await client.SendAsync(request);
            Assert.True(status == response.StatusCode, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var refusal = await RefusalAsync(response);
            Assert.Equal((code, true), (refusal.Code, refusal.Detail.Contains(says)));
        }
        Assert.Equal(before, await CountsAsync());
        AssertNoTemporaryFileLeft();

        // Within the limits the same API takes the file: the refusals above were the limits, not a broken endpoint.
        var content2 = new ByteArrayContent(jpeg);
        content2.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        using var ok = await client.SendAsync(await RequestAsync(client, content2, "Röstung 焙煎.jpg"));
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        Assert.Equal("Röstung 焙煎.jpg", (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("fileName").GetString());
        AssertNoTemporaryFileLeft();
    }
}
