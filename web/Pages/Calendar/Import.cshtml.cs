using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Publisher.Web.Security;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Calendar;

/// <summary>Upload a CSV of planned messages: all rows are imported as drafts, or none, with a report of every refused row.</summary>
[Authorize(Policy = Policies.Author)]
// Files somewhat over the limit still reach the page, which says the file's size and the limit and stays open;
// far larger uploads are refused before they are read.
[RequestSizeLimit(UploadCeiling)]
[RequestFormLimits(MultipartBodyLengthLimit = UploadCeiling)]
public class ImportModel(CalendarCsvImport import, UserTimeZone userZone) : PageModel
{
    public const int MaxBytes = 4 * 1024 * 1024;
    private const int UploadCeiling = 16 * 1024 * 1024;

    public CalendarCsvImport.Report? Report { get; private set; }
    public string? Problem { get; private set; }
    public string Zone { get; private set; } = "UTC";

    public async Task OnGetAsync() => Zone = (await userZone.GetAsync()).Id;

    public async Task<IActionResult> OnPostAsync(IFormFile? file, CancellationToken cancellationToken)
    {
        Zone = (await userZone.GetAsync()).Id;
        if (file is null || file.Length == 0)
        {
            Problem = "Choose a CSV file to import.";
            return Page();
        }
        if (file.Length > MaxBytes)
        {
            Problem = $"The file is {file.Length / 1024 / 1024.0:0.0} MB; the most Publisher imports at once is {MaxBytes / 1024 / 1024} MB. Split it into smaller files.";
            return Page();
        }
        await using var stream = file.OpenReadStream();
        Report = await import.ImportAsync(stream, Zone, User.Actor(), cancellationToken);
        return Page();
    }
}
