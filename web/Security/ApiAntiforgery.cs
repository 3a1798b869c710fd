using Microsoft.AspNetCore.Antiforgery;

namespace Publisher.Web.Security;

/// <summary>
/// The JSON API is called by our own pages with the sign-in cookie, so a state-changing call must carry
/// the antiforgery token (header RequestVerificationToken) just as a form post does.
/// </summary>
public sealed class ApiAntiforgery(IAntiforgery antiforgery) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var method = context.HttpContext.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
            return await next(context);
        if (!await antiforgery.IsRequestValidAsync(context.HttpContext))
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing or invalid antiforgery token",
                detail: "Send the token from the page's meta tag 'request-verification-token' in the RequestVerificationToken header.");
        return await next(context);
    }
}
