using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Publisher.Core.Data;

/// <summary>
/// PostgreSQL cannot store the NUL character (U+0000) in text, and a save that holds one fails as a whole.
/// Forms and files are checked before they get here (with a message for the person); this is the last line
/// for text that comes from elsewhere, such as a network's error message or a post's address: a NUL becomes
/// U+FFFD (the replacement character), so the save goes through and nothing else of it is lost.
/// </summary>
public sealed class NulCharacterGuard : SaveChangesInterceptor
{
    public static NulCharacterGuard Instance { get; } = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Clean(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Clean(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Clean(DbContext? context)
    {
        if (context is null)
            return;
        foreach (var entry in context.ChangeTracker.Entries().Where(e => e.State is EntityState.Added or EntityState.Modified))
        {
            foreach (var property in entry.Properties)
                Clean(property);
        }
    }

    private static void Clean(PropertyEntry property)
    {
        switch (property.CurrentValue)
        {
            case string text when text.Contains('\0'):
                property.CurrentValue = text.Replace('\0', '\uFFFD');
                break;
            case List<string> list when list.Any(t => t?.Contains('\0') == true):
                property.CurrentValue = list.Select(t => t?.Replace('\0', '\uFFFD') ?? t).ToList();
                break;
        }
    }
}
