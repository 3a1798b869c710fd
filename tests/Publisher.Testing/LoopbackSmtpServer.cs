using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Publisher.Testing;

/// <summary>A message a <see cref="LoopbackSmtpServer"/> accepted.</summary>
public sealed record ReceivedMail(string From, IReadOnlyList<string> To, string Data);

/// <summary>
/// A small SMTP server on 127.0.0.1 that speaks the protocol over a real socket (RFC 5321: EHLO/HELO,
/// MAIL, RCPT, DATA with dot-stuffing, RSET, NOOP, QUIT) and keeps what it receives. It refuses
/// commands out of order as a real server does, so a client that skips a step fails here too.
/// </summary>
public sealed class LoopbackSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<ReceivedMail> _received = [];

    public LoopbackSmtpServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Addresses the server refuses at RCPT with a 550.</summary>
    public HashSet<string> RefusedRecipients { get; } = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<ReceivedMail> Received
    {
        get { lock (_received) return _received.ToList(); }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 loopback.test ESMTP ready");
        string? from = null;
        var to = new List<string>();
        var greeted = false;
        while (await reader.ReadLineAsync() is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                    greeted = true;
                    await writer.WriteLineAsync("250-loopback.test");
                    await writer.WriteLineAsync("250-8BITMIME");
                    await writer.WriteLineAsync("250 SMTPUTF8");
                    break;
                case "HELO":
                    greeted = true;
                    await writer.WriteLineAsync("250 loopback.test");
                    break;
                case "MAIL" when !greeted:
                    await writer.WriteLineAsync("503 5.5.1 Say hello first");
                    break;
                case "MAIL":
                    from = Address(line);
                    to.Clear();
                    await writer.WriteLineAsync("250 2.1.0 OK");
                    break;
                case "RCPT" when from is null:
                    await writer.WriteLineAsync("503 5.5.1 MAIL first");
                    break;
                case "RCPT":
                    var recipient = Address(line);
                    if (RefusedRecipients.Contains(recipient))
                    {
                        await writer.WriteLineAsync("550 5.1.1 No such user here");
                        break;
                    }
                    to.Add(recipient);
                    await writer.WriteLineAsync("250 2.1.5 OK");
                    break;
                case "DATA" when to.Count == 0:
                    await writer.WriteLineAsync("503 5.5.1 RCPT first");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } dataLine && dataLine != ".")
                        data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                    lock (_received)
                        _received.Add(new ReceivedMail(from!, to.ToList(), data.ToString()));
                    from = null;
                    to.Clear();
                    await writer.WriteLineAsync("250 2.0.0 Queued");
                    break;
                case "RSET":
                    from = null;
                    to.Clear();
                    await writer.WriteLineAsync("250 2.0.0 OK");
                    break;
                case "NOOP":
                    await writer.WriteLineAsync("250 2.0.0 OK");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 2.0.0 Bye");
                    return;
                default:
                    await writer.WriteLineAsync("502 5.5.2 Command not recognized");
                    break;
            }
        }
    }

    private static string Address(string line)
    {
        var start = line.IndexOf('<');
        var end = line.IndexOf('>', start + 1);
        return start >= 0 && end > start ? line[(start + 1)..end] : line.Split(':', 2)[^1].Trim();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
