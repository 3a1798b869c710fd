namespace Publisher.Web.Pages.Shared;

/// <summary>How channel kinds read on screen.</summary>
public static class ChannelNames
{
    public static string Of(string kind) => kind switch
    {
        "FacebookPage" => "Facebook",
        "Email" => "Newsletter",
        _ => kind,
    };
}
