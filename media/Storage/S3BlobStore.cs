using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Publisher.Media.Storage;

/// <summary>
/// Blobs in an S3-compatible object store (AWS S3, MinIO, …), for installations whose media outgrow the database. An
/// object is named {prefix}{sha256}. Since the name is the hash, a write first spools the stream to a temporary file
/// while hashing it (memory stays flat), then uploads the file under its name unless that object exists already.
/// </summary>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private readonly IAmazonS3 _s3;
    private readonly S3StoreOptions _options;
    private readonly string _tempFolder;

    public S3BlobStore(S3StoreOptions options, string tempFolder)
    {
        _options = options;
        _tempFolder = tempFolder;
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.Region,
            // Checksums only where S3 requires them: self-hosted stores differ in the trailing checksums they accept.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
            config.ServiceURL = options.ServiceUrl;
        else
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        _s3 = new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    private string Key(string sha256) => _options.Prefix + sha256;

    public async Task<BlobInfo> PutAsync(Stream content, string contentType, CancellationToken cancellationToken)
    {
        var spool = Path.Combine(_tempFolder, "publisher-s3-" + Guid.NewGuid().ToString("N"));
        try
        {
            string sha256;
            long length;
            await using (var file = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                length = file.Length;
                sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            if (await GetInfoAsync(sha256, cancellationToken) is { } existing)
                return existing;
            await _s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _options.Bucket,
                Key = Key(sha256),
                FilePath = spool,
                ContentType = contentType,
                UseChunkEncoding = false,
                // The object's name says what it holds forever: caches may keep it forever.
                Headers = { CacheControl = "public, max-age=31536000, immutable" },
            }, cancellationToken);
            return new BlobInfo(sha256, length, contentType);
        }
        finally
        {
            File.Delete(spool);
        }
    }

    public async Task<BlobInfo?> GetInfoAsync(string sha256, CancellationToken cancellationToken)
    {
        if (!BlobNames.IsSha256(sha256))
            return null;
        try
        {
            var head = await _s3.GetObjectMetadataAsync(_options.Bucket, Key(sha256), cancellationToken);
            return new BlobInfo(sha256, head.ContentLength, head.Headers.ContentType ?? "application/octet-stream");
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken)
    {
        if (!BlobNames.IsSha256(sha256))
            return null;
        try
        {
            var response = await _s3.GetObjectAsync(_options.Bucket, Key(sha256), cancellationToken);
            return new OwnedStream(response.ResponseStream, response, response.ContentLength);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<bool> DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        if (await GetInfoAsync(sha256, cancellationToken) is null)
            return false;
        await _s3.DeleteObjectAsync(_options.Bucket, Key(sha256), cancellationToken);
        return true;
    }

    public Uri? PublicAddress(string sha256) =>
        string.IsNullOrWhiteSpace(_options.PublicUrl) || !BlobNames.IsSha256(sha256) ? null : new Uri(_options.PublicUrl.TrimEnd('/') + "/" + Key(sha256));

    public void Dispose() => _s3.Dispose();

    /// <summary>The object's body, which also disposes the response that owns it, and knows its length.</summary>
    private sealed class OwnedStream(Stream inner, IDisposable owner, long length) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                owner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
