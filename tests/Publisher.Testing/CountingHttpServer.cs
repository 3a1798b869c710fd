using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Publisher.Testing;

/// <summary>
/// A bare HTTP/1.1 server on a raw socket at 127.0.0.1: it counts every connection accepted (even one that sends
/// nothing), answers each request with <see cref="Answer"/> and closes. For tests that must prove a connection
/// was never made, which a higher-level fake that only sees complete requests cannot.
/// </summary>
public sealed class CountingHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    public CountingHttpServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The raw answer, status line to body. Default: 200 with the body "hello from loopback".</summary>
    public string Answer { get; set; } = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 19\r\nConnection: close\r\n\r\nhello from loopback";

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        try
        {
            var received = new StringBuilder();
            var buffer = new byte[4096];
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await socket.ReceiveAsync(buffer, _stop.Token);
                if (read == 0)
                    return;
                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            await socket.SendAsync(Encoding.UTF8.GetBytes(Answer), _stop.Token);
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
