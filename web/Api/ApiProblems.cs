using Microsoft.AspNetCore.Diagnostics;

namespace Publisher.Web.Api;

/// <summary>
/// An /api answer that carries no body of its own (401 from sign-in, 404 for an unknown address, 405, 415, …)
/// gets an RFC 9457 problem document saying what the status means, instead of the HTML status page.
/// </summary>
public static class ApiProblems
{
    public static Task WriteAsync(StatusCodeContext status)
    {
        var context = status.HttpContext;
        var (title, detail) = context.Response.StatusCode switch
        {
            400 => ("Bad request", "The request could not be used: check it against the API section of the README."),
            401 => ("Sign in first", "This address needs a signed-in session: sign in and send the session cookie."),
            403 => ("Not allowed", "Your roles do not allow this; an administrator can add a role to your account."),
            404 => ("Not found", "There is nothing at this address: check the path against the API section of the README."),
            405 => ("Method not allowed", $"{context.Request.Method} is not accepted here: check the API section of the README."),
            413 => ("Too large", "The request body is larger than this address accepts."),
            415 => ("Send JSON", "Send the body as JSON with Content-Type: application/json."),
            _ => ("Something went wrong", "The error has been logged. Try again; if it keeps happening, tell an administrator."),
        };
        return Results.Problem(statusCode: context.Response.StatusCode, title: title, detail: detail).ExecuteAsync(context);
    }
}
