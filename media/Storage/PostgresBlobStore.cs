using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;

namespace Publisher.Media.Storage;

/// <summary>
/// Blobs in PostgreSQL, the default store: every web app and worker on any machine reads them through the database they
/// already share, with no disk to mount. A blob is written as 1 MiB <c>bytea</c> chunks in one transaction (memory holds
/// one chunk, whatever the file's size) under a fresh upload id; when the last chunk is in and the hash is known, the
/// blob row names it, or, if those bytes were stored before, the transaction is rolled back and the existing blob stands.
/// Reading fetches one chunk at a time and can seek. Tables: "MediaBlobs" and "MediaBlobChunks" (core's migration).
/// </summary>
public sealed class PostgresBlobStore(NpgsqlDataSource dataSource) : IBlobStore
{
    /// <summary>Bytes per chunk row.</summary>
    public const int ChunkSize = 1024 * 1024;

    public async Task<BlobInfo> PutAsync(Stream content, string contentType, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var uploadId = Guid.CreateVersion7();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkSize];
        long length = 0;
        var sequence = 0;
        await using (var insert = new NpgsqlCommand("""INSERT INTO "MediaBlobChunks" ("UploadId", "Sequence", "Data") VALUES (@upload, @sequence, @data)""", connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter<Guid>("upload", uploadId));
            var sequenceParameter = new NpgsqlParameter<int>("sequence", 0);
            insert.Parameters.Add(sequenceParameter);
            var data = insert.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Bytea));
            while (true)
            {
                var filled = await FillAsync(content, buffer, cancellationToken);
                if (filled == 0 && sequence > 0)
                    break;
                hash.AppendData(buffer, 0, filled);
                length += filled;
                sequenceParameter.TypedValue = sequence++;
                data.Value = new ArraySegment<byte>(buffer, 0, filled);
                data.Size = filled;
                await insert.ExecuteNonQueryAsync(cancellationToken);
                if (filled < buffer.Length)
                    break;
            }
        }
        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        await using var claim = new NpgsqlCommand("""
            INSERT INTO "MediaBlobs" ("Sha256", "UploadId", "Length", "ContentType", "CreatedAt") VALUES (@sha, @upload, @length, @type, now())
            ON CONFLICT ("Sha256") DO NOTHING
            """, connection, transaction);
        claim.Parameters.AddWithValue("sha", sha256);
        claim.Parameters.AddWithValue("upload", uploadId);
        claim.Parameters.AddWithValue("length", length);
        claim.Parameters.AddWithValue("type", contentType);
        if (await claim.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            // Stored before: keep the old copy, drop these chunks.
            await transaction.RollbackAsync(cancellationToken);
            return await GetInfoAsync(sha256, cancellationToken) ?? new BlobInfo(sha256, length, contentType);
        }
        await transaction.CommitAsync(cancellationToken);
        return new BlobInfo(sha256, length, contentType);
    }

    private static async Task<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0) break;
            filled += read;
        }
        return filled;
    }

    public async Task<BlobInfo?> GetInfoAsync(string sha256, CancellationToken cancellationToken)
    {
        var row = await RowAsync(sha256, cancellationToken);
        return row?.Info;
    }

    private async Task<(BlobInfo Info, Guid UploadId)?> RowAsync(string sha256, CancellationToken cancellationToken)
    {
        if (!BlobNames.IsSha256(sha256))
            return null;
        await using var command = dataSource.CreateCommand("""SELECT "Length", "ContentType", "UploadId" FROM "MediaBlobs" WHERE "Sha256" = @sha""");
        command.Parameters.AddWithValue("sha", sha256);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return (new BlobInfo(sha256, reader.GetInt64(0), reader.GetString(1)), reader.GetGuid(2));
    }

    public async Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken)
    {
        var row = await RowAsync(sha256, cancellationToken);
        return row is { } r ? new ChunkStream(dataSource, r.UploadId, r.Info.Length) : null;
    }

    public async Task<bool> DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        if (!BlobNames.IsSha256(sha256))
            return false;
        // One statement: the blob row and its chunks go together.
        await using var command = dataSource.CreateCommand("""
            WITH gone AS (DELETE FROM "MediaBlobs" WHERE "Sha256" = @sha RETURNING "UploadId"),
                 chunks AS (DELETE FROM "MediaBlobChunks" WHERE "UploadId" IN (SELECT "UploadId" FROM gone))
            SELECT count(*) FROM gone
            """);
        command.Parameters.AddWithValue("sha", sha256);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    public Uri? PublicAddress(string sha256) => null;

    /// <summary>Reads a blob chunk by chunk; seeking fetches the chunk that holds the new position.</summary>
    private sealed class ChunkStream(NpgsqlDataSource dataSource, Guid uploadId, long length) : Stream
    {
        private byte[]? _chunk;
        private int _chunkIndex = -1;
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => _position = value < 0 ? throw new ArgumentOutOfRangeException(nameof(value)) : value;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= length || buffer.Length == 0)
                return 0;
            var index = (int)(_position / ChunkSize);
            if (index != _chunkIndex)
            {
                await using var command = dataSource.CreateCommand("""SELECT "Data" FROM "MediaBlobChunks" WHERE "UploadId" = @upload AND "Sequence" = @sequence""");
                command.Parameters.AddWithValue("upload", uploadId);
                command.Parameters.AddWithValue("sequence", index);
                _chunk = (byte[]?)await command.ExecuteScalarAsync(cancellationToken) ?? throw new IOException($"Chunk {index} of a stored blob is missing.");
                _chunkIndex = index;
            }
            var within = (int)(_position - (long)index * ChunkSize);
            var count = Math.Min(buffer.Length, _chunk!.Length - within);
            if (count <= 0)
                return 0;
            _chunk.AsMemory(within, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };

        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
