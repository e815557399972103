using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace ESeal.Browser.Tests.Infrastructure;

internal static class Accessibility
{
    /// <summary>axe-core on the page as it is now: no serious or critical violation.</summary>
    public static async Task AssertNoSeriousViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(
            serious.Count == 0,
            string.Join("\n", serious.Select(v => $"{v.Impact} {v.Id}: {v.Help} — {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")));
    }
}
