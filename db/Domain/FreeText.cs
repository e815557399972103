using System.Globalization;
using System.Text;

namespace ESeal.Db.Domain;

/// <summary>
/// Rules for text a citizen types (a holder's name, a code): it must show something, and it may not
/// carry control (Cc) or format (Cf) characters. A name of only a zero-width joiner or a BOM looks
/// empty on every receipt and in the back office yet passes "not blank"; control and bidi-format
/// characters can hide or reorder what an operator reads (an RTL override turns "张三" into
/// something else on screen), so they are refused, not silently stripped.
/// </summary>
public static class FreeText
{
    /// <summary>The message part used when a field holds control or invisible format characters.</summary>
    public const string HiddenCharactersText = "不能包含控制字符或不可见的格式字符";

    /// <summary>
    /// Null when <paramref name="text"/> is acceptable; otherwise the message for the field labelled
    /// <paramref name="label"/>. Empty, blank and nothing-visible text gets <paramref name="requiredText"/>.
    /// </summary>
    public static string? Validate(string? text, string label, string requiredText, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return requiredText;
        }

        if (HasHiddenCharacters(text))
        {
            return label + HiddenCharactersText;
        }

        if (!HasVisibleCharacter(text))
        {
            return requiredText;
        }

        // Counted in text elements, so "𠀀" (one character, two UTF-16 units) counts once.
        return new StringInfo(text.Trim()).LengthInTextElements > maxLength ? $"{label}不能超过{maxLength}个字" : null;
    }

    /// <summary>Cc, Cf, lone surrogates and unassigned code points (nothing a keyboard or IME sends).</summary>
    public static bool HasHiddenCharacters(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var rune in Runes(text))
        {
            if (rune is null)
            {
                return true;
            }

            var category = Rune.GetUnicodeCategory(rune.Value);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>At least one letter, digit, punctuation mark or symbol (a combining mark alone shows nothing).</summary>
    public static bool HasVisibleCharacter(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Runes(text).Any(r => r is { } rune && Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => false,
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => false,
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse => false,
            _ => true,
        });
    }

    /// <summary>The code points of <paramref name="text"/>; null for a lone surrogate.</summary>
    private static IEnumerable<Rune?> Runes(string text)
    {
        var index = 0;
        while (index < text.Length)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                yield return rune;
            }
            else
            {
                yield return null;
            }

            index += Math.Max(consumed, 1);
        }
    }
}
