using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Publisher.Web.Pages.Analytics;

/// <summary>
/// A line chart drawn on the server as SVG: no script, no inline style (colours are SVG attributes, which a strict
/// Content-Security-Policy allows). It carries a title and a description for screen readers; the page shows the
/// same figures as a table beside it.
/// </summary>
public static class SvgLineChart
{
    public sealed record Series(string Name, string Color, IReadOnlyList<double> Values);

    private const int Width = 720, Height = 260, Left = 48, Right = 12, Top = 12, Bottom = 36;

    public static IHtmlContent Render(string id, string title, string description, IReadOnlyList<DateOnly> days, IReadOnlyList<Series> series)
    {
        var invariant = CultureInfo.InvariantCulture;
        var max = Math.Max(1, series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max());
        var step = NiceStep(max / 4);
        var top = Math.Ceiling(max / step) * step;
        double X(int i) => Left + (days.Count <= 1 ? 0 : i * (Width - Left - Right) / (double)(days.Count - 1));
        double Y(double v) => Top + (Height - Top - Bottom) * (1 - v / top);

        var svg = new StringBuilder();
        svg.Append(invariant, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" focusable=\"false\" preserveAspectRatio=\"xMidYMid meet\">");
        svg.Append(invariant, $"<title id=\"{id}-title\">{WebUtility.HtmlEncode(title)}</title><desc id=\"{id}-desc\">{WebUtility.HtmlEncode(description)}</desc>");
        for (var v = 0.0; v <= top + step / 2; v += step)
        {
            var y = Y(v);
            svg.Append(invariant, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#d0d5dd\" stroke-width=\"1\"/>");
            svg.Append(invariant, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" font-size=\"11\" fill=\"#4b5563\">{v.ToString("0.##", invariant)}</text>");
        }
        var every = Math.Max(1, (int)Math.Ceiling(days.Count / 8.0));
        for (var i = 0; i < days.Count; i += every)
            svg.Append(invariant, $"<text x=\"{X(i):0.#}\" y=\"{Height - 14}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#4b5563\">{days[i].ToString("d MMM", invariant)}</text>");
        foreach (var s in series)
        {
            var points = string.Join(' ', s.Values.Select((v, i) => $"{X(i).ToString("0.#", invariant)},{Y(v).ToString("0.#", invariant)}"));
            svg.Append(invariant, $"<polyline fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"{points}\"><title>{WebUtility.HtmlEncode(s.Name)}</title></polyline>");
            if (days.Count == 1)
                svg.Append(invariant, $"<circle cx=\"{X(0):0.#}\" cy=\"{Y(s.Values[0]):0.#}\" r=\"3\" fill=\"{s.Color}\"/>");
        }
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    /// <summary>A small square of a colour, for legends (an SVG attribute, not an inline style).</summary>
    public static IHtmlContent Swatch(string color) =>
        new HtmlString($"<svg class=\"swatch-svg\" width=\"12\" height=\"12\" aria-hidden=\"true\" focusable=\"false\"><rect width=\"12\" height=\"12\" rx=\"2\" fill=\"{color}\"/></svg>");

    private static double NiceStep(double raw)
    {
        if (raw <= 0)
            return 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var fraction = raw / magnitude;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
    }

    /// <summary>Colours that stay apart and keep 3:1 contrast on white, for channels without their own.</summary>
    public static readonly IReadOnlyList<string> Palette = ["#1f6feb", "#c2410c", "#15803d", "#7e22ce", "#be123c", "#0e7490", "#a16207", "#4b5563"];
}
