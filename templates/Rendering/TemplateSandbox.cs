using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Publisher.Templates.Rendering;

/// <summary>Thrown inside a render when the template uses up its time or memory budget; never leaves the renderer.</summary>
internal sealed class RenderBudgetExceededException(string reason) : Exception(reason);

/// <summary>
/// A Scriban context that lets a template see only the plain data it is given: no .NET members
/// (every reflected member is filtered out, so only <see cref="ScriptObject"/> data is reachable), no
/// template loader (so no <c>include</c>), unknown variables are errors, and loops, recursion, output,
/// string size, run time and memory are all bounded.
/// </summary>
internal sealed class SandboxedTemplateContext : TemplateContext
{
    // A template that allocates this much is building something far larger than any post.
    private const long AllocationBudgetBytes = 64L * 1024 * 1024;

    private static readonly ScriptObject SharedBuiltins = TemplateContext.GetDefaultBuiltinObject();

    private RenderDeadline _deadline;
    private long _allocationLimit;
    private CancellationToken _cancellation;

    // Creating a context costs more than a small render, so each thread keeps one and resets it.
    [ThreadStatic]
    private static SandboxedTemplateContext? t_spare;

    private SandboxedTemplateContext() : base(SharedBuiltins)
    {
        StrictVariables = true;
        // Every model key exists (null when empty), so a missing member is a typo or a reach for .NET: say so.
        EnableRelaxedMemberAccess = false;
        EnableRelaxedTargetAccess = false;
        EnableRelaxedFunctionAccess = false;
        MemberFilter = _ => false;
        MemberRenamer = member => member.Name;
        TemplateLoader = null;
        ObjectRecursionLimit = 10;
        OnOutputLimit = ScriptLimitBehavior.Throw;
        OnStringLimit = ScriptLimitBehavior.Throw;
    }

    /// <summary>
    /// A clean context for one render under <paramref name="limits"/>, stopping at <paramref name="deadline"/> (shared
    /// with the render's other stages) and after <paramref name="maxOutput"/> characters; give it back with <see cref="Return"/>.
    /// </summary>
    public static SandboxedTemplateContext Rent(RenderLimits limits, RenderDeadline deadline, int maxOutput, CancellationToken cancellation)
    {
        var context = t_spare ?? new SandboxedTemplateContext();
        t_spare = null;
        context.LoopLimit = limits.LoopLimit;
        context.LoopLimitQueryable = limits.LoopLimit;
        context.RecursiveLimit = limits.RecursionLimit;
        context.OutputLimit = maxOutput;
        context.LimitToString = maxOutput;
        context.RegexTimeOut = TimeSpan.FromMilliseconds(Math.Max(1, limits.RenderTimeout.TotalMilliseconds / 2));
        context.CancellationToken = cancellation;
        context._cancellation = cancellation;
        context._evaluations = 0;
        context.StopReason = null;
        context._deadline = deadline;
        context._allocationLimit = GC.GetAllocatedBytesForCurrentThread() + AllocationBudgetBytes;
        return context;
    }

    /// <summary>Resets the context for the next render on this thread; one that failed is dropped instead.</summary>
    public void Return(bool completed)
    {
        if (!completed) return;
        try
        {
            Reset();
            t_spare = this;
        }
        catch (Exception)
        {
            // A context that cannot be reset is simply not reused.
        }
    }

    /// <summary>Why the render was stopped by this context, if it was.</summary>
    public string? StopReason { get; private set; }

    private int _evaluations;

    protected override bool OnStepLoop(ScriptLoopStatementBase loop)
    {
        CheckBudget();
        return base.OnStepLoop(loop);
    }

    public override object? Evaluate(ScriptNode? scriptNode, bool aliasReturnedFunction)
    {
        // Checking the clock on every node would cost more than the nodes; every 64th is enough.
        if ((++_evaluations & 63) == 0) CheckBudget();
        return base.Evaluate(scriptNode, aliasReturnedFunction);
    }

    public override void Import(SourceSpan span, object obj)
    {
        // import may only copy template data around, never pull in a .NET object's members.
        if (obj is not ScriptObject)
            throw new ScriptRuntimeException(span, "import accepts only template data (objects such as message or brand), not .NET types");
        base.Import(span, obj);
    }

    private void CheckBudget()
    {
        if (_cancellation.IsCancellationRequested) Stop("canceled");
        if (_deadline.HasPassed) Stop("time");
        if (GC.GetAllocatedBytesForCurrentThread() > _allocationLimit) Stop("memory");
    }

    private void Stop(string reason)
    {
        StopReason = reason;
        throw new RenderBudgetExceededException(reason);
    }
}
