using System.Security.Cryptography;
using Npgsql;
using Publisher.Media.Storage;
using Publisher.Testing;

namespace Publisher.Media.Tests;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}

/// <summary>The default store on a real PostgreSQL: content-addressed, streamed in chunks, all-or-nothing.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresBlobStoreTests(PostgresServer postgres)
{
    private async Task<(PostgresBlobStore Store, string ConnectionString)> NewStoreAsync()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync("blobs");
        return (new PostgresBlobStore(NpgsqlDataSource.Create(connectionString)), connectionString);
    }

    [Fact]
    public async Task A_blob_is_named_by_its_sha256_read_back_whole_and_stored_once()
    {
        var (store, cs) = await NewStoreAsync();
        var bytes = new byte[(int)(PostgresBlobStore.ChunkSize * 2.5)];
        new Random(1).NextBytes(bytes);
        var info = await store.PutAsync(new MemoryStream(bytes), "video/mp4", default);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), info.Sha256);
        Assert.Equal(bytes.Length, info.Length);

        await using (var read = await store.OpenReadAsync(info.Sha256, default))
        {
            var copy = new MemoryStream();
            await read!.CopyToAsync(copy);
            Assert.Equal(bytes, copy.ToArray());
            // Seeking into the third chunk reads from there.
            read.Position = PostgresBlobStore.ChunkSize * 2 + 10;
            var tail = new byte[5];
            await read.ReadExactlyAsync(tail);
            Assert.Equal(bytes.AsSpan(PostgresBlobStore.ChunkSize * 2 + 10, 5).ToArray(), tail);
        }

        var again = await store.PutAsync(new MemoryStream(bytes), "video/mp4", default);
        Assert.Equal(info.Sha256, again.Sha256);
        Assert.Equal(1L, await PostgresServer.ScalarAsync<long>(cs, """SELECT count(*) FROM "MediaBlobs" """));
        Assert.Equal(3L, await PostgresServer.ScalarAsync<long>(cs, """SELECT count(*) FROM "MediaBlobChunks" """));

        Assert.True(await store.DeleteAsync(info.Sha256, default));
        Assert.Null(await store.OpenReadAsync(info.Sha256, default));
        Assert.Equal(0L, await PostgresServer.ScalarAsync<long>(cs, """SELECT count(*) FROM "MediaBlobChunks" """));
    }

    [Fact]
    public async Task A_write_that_fails_half_way_leaves_nothing()
    {
        var (store, cs) = await NewStoreAsync();
        await Assert.ThrowsAsync<IOException>(() => store.PutAsync(new FailingStream(PostgresBlobStore.ChunkSize * 2), "image/jpeg", default));
        Assert.Equal(0L, await PostgresServer.ScalarAsync<long>(cs, """SELECT count(*) FROM "MediaBlobChunks" """));
        Assert.Equal(0L, await PostgresServer.ScalarAsync<long>(cs, """SELECT count(*) FROM "MediaBlobs" """));
    }

    [Fact]
    public async Task Names_that_are_not_hashes_find_nothing()
    {
        var (store, _) = await NewStoreAsync();
        Assert.Null(await store.GetInfoAsync("../../etc/passwd", default));
        Assert.Null(await store.OpenReadAsync("ABC", default));
    }

    /// <summary>Gives <paramref name="before"/> bytes, then fails like a dropped connection.</summary>
    private sealed class FailingStream(int before) : Stream
    {
        private int _given;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _given; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_given >= before) throw new IOException("the client went away");
            var n = Math.Min(count, before - _given);
            _given += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
