namespace Publisher.Analytics.Events;

/// <summary>A contact, qualified lead or sale as a site or a server reported it, checked.</summary>
/// <param name="EventId">The sender's id of the event: the same id sent again counts once.</param>
/// <param name="Kind">Contact, qualified or sale.</param>
/// <param name="At">When it happened.</param>
/// <param name="Value">Its value (0 when none was given).</param>
/// <param name="Currency">The ISO 4217 code of <paramref name="Value"/>, or null when there is no value.</param>
/// <param name="ClickId">The click id (<c>pcid</c>) the visitor arrived with, when known.</param>
/// <param name="VisitorId">The <c>/t.js</c> visitor id, when known.</param>
/// <param name="EmailSha256">The SHA-256 of the contact's e-mail address (trimmed, lower case), as 64 lower-case hex digits, when known.</param>
public sealed record ReportedConversion(
    string EventId, ConversionKind Kind, DateTimeOffset At, decimal Value, string? Currency,
    Guid? ClickId, string? VisitorId, string? EmailSha256);

/// <summary>One thing wrong with a reported event.</summary>
/// <param name="Index">The event's position in the batch (0-based), or null for the batch itself.</param>
/// <param name="EventId">The event's id, when it had a readable one.</param>
/// <param name="Field">The field at fault (<c>type</c>, <c>value</c>, …), or <c>events</c> for the batch.</param>
/// <param name="Message">What is wrong and what to send instead.</param>
public sealed record EventProblem(int? Index, string? EventId, string Field, string Message);
