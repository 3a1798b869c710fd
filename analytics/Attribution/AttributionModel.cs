namespace Publisher.Analytics.Attribution;

/// <summary>How a conversion's credit is shared among the touches that led to it.</summary>
public enum AttributionModel : short
{
    /// <summary>All credit to the first touch within the lookback window.</summary>
    FirstTouch = 0,
    /// <summary>All credit to the last touch before the conversion.</summary>
    LastTouch = 1,
    /// <summary>Equal shares to every touch within the window.</summary>
    Linear = 2,
    /// <summary>40% to the first touch, 40% to the last, 20% shared by those between (half each with two touches).</summary>
    PositionBased = 3,
}

/// <summary>The models and their names.</summary>
public static class AttributionModels
{
    /// <summary>Every model, in the order the dashboard shows them.</summary>
    public static readonly IReadOnlyList<AttributionModel> All = [AttributionModel.FirstTouch, AttributionModel.LastTouch, AttributionModel.Linear, AttributionModel.PositionBased];

    /// <summary>The model's name for people: "First touch", …</summary>
    public static string Describe(AttributionModel model) => model switch
    {
        AttributionModel.FirstTouch => "First touch",
        AttributionModel.LastTouch => "Last touch",
        AttributionModel.Linear => "Linear",
        _ => "Position-based (40/20/40)",
    };
}
