using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Publisher.Testing;

/// <summary>A message a <see cref="LoopbackSmtpServer"/> accepted: its envelope and its DATA (dot-stuffing undone), read as UTF-8.</summary>
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
    private int _connections;

    public LoopbackSmtpServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>
    /// When set, the server offers AUTH PLAIN and LOGIN, refuses MAIL before a successful AUTH (530) and refuses
    /// any other user name or password (535), as a submission server does.
    /// </summary>
    public (string User, string Password)? RequiredCredentials { get; set; }

    /// <summary>Addresses the server refuses at RCPT with a 550.</summary>
    public HashSet<string> RefusedRecipients { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How many connections were accepted, whether or not anything was said on them.</summary>
    public int Connections => Volatile.Read(ref _connections);

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
            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        // Latin-1 keeps every byte as one character: the server offers 8BITMIME, so a body may carry UTF-8 as is
        // (ASCII would turn each of those bytes into '?').
        var reader = new StreamReader(stream, Encoding.Latin1);
        var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 loopback.test ESMTP ready");
        string? from = null;
        var to = new List<string>();
        var greeted = false;
        var authenticated = false;
        while (await reader.ReadLineAsync() is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                    greeted = true;
                    await writer.WriteLineAsync("250-loopback.test");
                    if (RequiredCredentials is not null)
                        await writer.WriteLineAsync("250-AUTH PLAIN LOGIN");
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
                case "AUTH" when RequiredCredentials is null || !greeted:
                    await writer.WriteLineAsync("503 5.5.1 AUTH not available");
                    break;
                case "AUTH":
                    authenticated = await AuthenticateAsync(line, reader, writer);
                    break;
                case "MAIL" when RequiredCredentials is not null && !authenticated:
                    await writer.WriteLineAsync("530 5.7.0 Authentication required");
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
                        _received.Add(new ReceivedMail(from!, to.ToList(), Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(data.ToString()))));
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

    private async Task<bool> AuthenticateAsync(string line, StreamReader reader, StreamWriter writer)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string? user = null, password = null;
        try
        {
            switch (words.Length > 1 ? words[1].ToUpperInvariant() : "")
            {
                case "PLAIN":
                    var initial = words.Length > 2 ? words[2] : null;
                    if (initial is null)
                    {
                        await writer.WriteLineAsync("334 ");
                        initial = await reader.ReadLineAsync() ?? "";
                    }
                    var fields = Encoding.UTF8.GetString(Convert.FromBase64String(initial)).Split('\0');
                    if (fields.Length == 3) (user, password) = (fields[1], fields[2]);
                    break;
                case "LOGIN":
                    var first = words.Length > 2 ? words[2] : null;
                    if (first is null)
                    {
                        await writer.WriteLineAsync("334 VXNlcm5hbWU6");
                        first = await reader.ReadLineAsync() ?? "";
                    }
                    user = Encoding.UTF8.GetString(Convert.FromBase64String(first));
                    await writer.WriteLineAsync("334 UGFzc3dvcmQ6");
                    password = Encoding.UTF8.GetString(Convert.FromBase64String(await reader.ReadLineAsync() ?? ""));
                    break;
                default:
                    await writer.WriteLineAsync("504 5.5.4 Unrecognized authentication type");
                    return false;
            }
        }
        catch (FormatException)
        {
            await writer.WriteLineAsync("501 5.5.2 Cannot decode response");
            return false;
        }
        if (RequiredCredentials is { } required && user == required.User && password == required.Password)
        {
            await writer.WriteLineAsync("235 2.7.0 Authentication successful");
            return true;
        }
        await writer.WriteLineAsync("535 5.7.8 Authentication credentials invalid");
        return false;
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
