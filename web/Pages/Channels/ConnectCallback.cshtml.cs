using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Publisher.Core.Connect;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Channels;

/// <summary>
/// Where every network sends the admin back (<c>{PUBLISHER_URL}/Channels/Connect/Callback</c>). A connected account
/// goes to Channels with a notice; several accounts to choose from (a LinkedIn admin's pages) are listed here; anything
/// wrong is said here, with what to do, and nothing is saved.
/// </summary>
[Authorize(Policy = Policies.Admin)]
public class ConnectCallbackModel(ConnectFlow flow) : PageModel
{
    public string? Failure { get; private set; }
    public Guid? AttemptId { get; private set; }
    public IReadOnlyList<ConnectChoice> Choices { get; private set; } = [];

    [TempData] public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(string? state, string? code, string? error, [FromQuery(Name = "error_description")] string? errorDescription, CancellationToken cancellationToken)
    {
        var outcome = await flow.CompleteAsync(state, code, error, errorDescription, User.Id(), Request.Cookies[ConnectFlow.BrowserCookie], User.Actor(), cancellationToken);
        return Show(outcome);
    }

    public async Task<IActionResult> OnPostChooseAsync(Guid attempt, List<string> account, CancellationToken cancellationToken)
    {
        var outcome = await flow.ChooseAsync(attempt, account, User.Id(), Request.Cookies[ConnectFlow.BrowserCookie], User.Actor(), cancellationToken);
        return Show(outcome);
    }

    private IActionResult Show(ConnectOutcome outcome)
    {
        if (outcome.Error is not null)
        {
            Failure = outcome.Error;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        if (outcome.Choices is { } choices)
        {
            AttemptId = outcome.AttemptId;
            Choices = choices;
            return Page();
        }
        Notice = outcome.Count > 1
            ? $"Connected {outcome.AccountName}. They are switched on and ready to publish."
            : outcome.Created
                ? $"Connected {outcome.AccountName}. It is switched on and ready to publish."
                : $"Reconnected {outcome.AccountName}: its new token is stored.";
        return Redirect($"/Channels#account-{outcome.AccountId}");
    }
}
