namespace Publisher.Core.Email;

/// <summary>How notifications reach people by email. Off until a host is configured (section "Email").</summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    /// <summary>Send notifications by email (Email__Enabled). Default: false.</summary>
    public bool Enabled { get; set; }

    /// <summary>SMTP server (Email__Host). Default: localhost.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>SMTP port (Email__Port). Default: 25.</summary>
    public int Port { get; set; } = 25;

    /// <summary>None, StartTls, StartTlsWhenAvailable or SslOnConnect (Email__Security). Default: StartTlsWhenAvailable.</summary>
    public string Security { get; set; } = "StartTlsWhenAvailable";

    /// <summary>SMTP user name, if the server needs one (Email__Username).</summary>
    public string? Username { get; set; }

    /// <summary>SMTP password (Email__Password): from the environment or user secrets only.</summary>
    public string? Password { get; set; }

    /// <summary>The sender (Email__From). Default: Publisher &lt;publisher@localhost&gt;.</summary>
    public string From { get; set; } = "Publisher <publisher@localhost>";

    /// <summary>The web app's public address, for links in emails (Email__PublicUrl). Default: http://127.0.0.1:5080.</summary>
    public string PublicUrl { get; set; } = "http://127.0.0.1:5080";
}
