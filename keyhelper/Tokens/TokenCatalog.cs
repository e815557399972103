using ESeal.KeyHelper.Security;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace ESeal.KeyHelper.Tokens;

/// <summary>Reads the present tokens and their certificates, live, from every module.</summary>
internal sealed class TokenCatalog(ModuleRegistry registry, PinAttemptStore attempts)
{
    public IReadOnlyList<TokenDto> List()
    {
        var result = new List<TokenDto>();
        foreach (var module in registry.Modules)
        {
            var tokens = module.Use(library => ListModule(module, library));
            if (tokens is not null)
            {
                result.AddRange(tokens);
            }
        }

        return result;
    }

    private List<TokenDto> ListModule(Pkcs11Module module, IPkcs11Library library)
    {
        var list = new List<TokenDto>();
        List<ISlot> slots;
        try
        {
            slots = library.GetSlotList(SlotsType.WithTokenPresent);
        }
        catch (Pkcs11Exception)
        {
            module.MarkStale();
            return list;
        }

        foreach (var slot in slots)
        {
            try
            {
                var info = slot.GetTokenInfo();
                if (!info.TokenFlags.TokenInitialized)
                {
                    // SoftHSM2 always offers one empty slot for C_InitToken; it is not a key.
                    continue;
                }

                list.Add(Describe(slot, info));
            }
            catch (Pkcs11Exception)
            {
                // A key pulled out while we read it: leave it out and re-initialise the module.
                module.MarkStale();
            }
        }

        return list;
    }

    private TokenDto Describe(ISlot slot, ITokenInfo info)
    {
        var serial = info.SerialNumber.Trim();
        var certificates = new List<TokenCertificate>();
        using (var session = slot.OpenSession(SessionType.ReadOnly))
        {
            var f = session.Factories.ObjectAttributeFactory;
            var objects = session.FindAllObjects(
            [
                f.Create(CKA.CKA_CLASS, CKO.CKO_CERTIFICATE),
                f.Create(CKA.CKA_CERTIFICATE_TYPE, CKC.CKC_X_509),
            ]);
            foreach (var obj in objects)
            {
                var values = session.GetAttributeValue(obj, [CKA.CKA_ID, CKA.CKA_VALUE]);
                certificates.Add(new TokenCertificate(
                    Convert.ToHexStringLower(values[0].GetValueAsByteArray() ?? []),
                    Convert.ToBase64String(values[1].GetValueAsByteArray() ?? [])));
            }
        }

        var failures = attempts.Failures(serial);
        var helperLocked = attempts.IsLocked(serial);
        var flags = info.TokenFlags;
        return new TokenDto(
            serial,
            info.Label.Trim(),
            info.ManufacturerId.Trim(),
            info.Model.Trim(),
            flags.UserPinLocked || helperLocked,
            flags.UserPinCountLow || (failures > 0 && !helperLocked),
            flags.UserPinFinalTry || (!helperLocked && failures == attempts.MaxAttempts - 1),
            [.. certificates.OrderBy(c => c.Id, StringComparer.Ordinal)]);
    }
}
