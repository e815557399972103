using System.Collections.Concurrent;
using System.Security.Cryptography;
using ESeal.KeyHelper.Infrastructure;
using ESeal.KeyHelper.Security;
using ESeal.KeyHelper.Tokens;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace ESeal.KeyHelper.Signing;

/// <summary>
/// Logs in with the PIN, signs with the private key that has the certificate's CKA_ID, logs out.
/// One session per operation; operations on the same token are serialised because PKCS#11
/// login state is per token, not per session (a parallel logout would cut another signature short).
/// </summary>
internal sealed partial class TokenSigner(ModuleRegistry registry, PinAttemptStore attempts, ILogger<TokenSigner> logger)
{
    private readonly ConcurrentDictionary<string, Lock> _tokenLocks = new(StringComparer.Ordinal);

    /// <summary>
    /// <paramref name="certificateSha256"/>: the <c>cert=</c> of the context (<see cref="ProofContext"/>); unless it is
    /// the lowercase SHA-256 hex of the chosen certificate's DER the answer is BAD_REQUEST, before any login.
    /// </summary>
    public SignOutcome Sign(string serial, byte[] certificateId, string certificateSha256, string pin, byte[] data)
    {
        foreach (var module in registry.Modules)
        {
            var outcome = module.Use(library => SignOnModule(module, library, serial, certificateId, certificateSha256, pin, data));
            if (outcome is not null)
            {
                return outcome;
            }
        }

        return new SignOutcome.Refused(Errors.TokenNotPresent);
    }

    /// <summary>Null when the token is not in this module.</summary>
    private SignOutcome? SignOnModule(Pkcs11Module module, IPkcs11Library library, string serial, byte[] certificateId, string certificateSha256, string pin, byte[] data)
    {
        try
        {
            if (module.FindToken(library, serial) is not { } found)
            {
                return null;
            }

            lock (_tokenLocks.GetOrAdd(serial, _ => new Lock()))
            {
                return SignOnSlot(found.Slot, found.Info, serial, certificateId, certificateSha256, pin, data);
            }
        }
        catch (Pkcs11Exception e)
        {
            // Pulled out mid-operation (SoftHSM2 says CKR_GENERAL_ERROR, hardware CKR_DEVICE_REMOVED,
            // CKR_SESSION_HANDLE_INVALID, …): the caller sees TOKEN_NOT_PRESENT, the module is re-initialised.
            LogTokenFailed(logger, serial, e.RV);
            module.MarkStale();
            return new SignOutcome.Refused(Errors.TokenNotPresent);
        }
    }

    private SignOutcome SignOnSlot(ISlot slot, ITokenInfo info, string serial, byte[] certificateId, string certificateSha256, string pin, byte[] data)
    {
        using var session = slot.OpenSession(SessionType.ReadOnly);
        var f = session.Factories.ObjectAttributeFactory;
        var certificateHandle = session.FindAllObjects(
        [
            f.Create(CKA.CKA_CLASS, CKO.CKO_CERTIFICATE),
            f.Create(CKA.CKA_ID, certificateId),
        ]).FirstOrDefault();
        if (certificateHandle is null)
        {
            return new SignOutcome.Refused(Errors.CertificateNotFound);
        }

        var der = session.GetAttributeValue(certificateHandle, [CKA.CKA_VALUE])[0].GetValueAsByteArray() ?? [];

        // The context must name the certificate we sign with; checked before the lock and the login, so
        // a page gets neither a proof nor a PIN report for a context about another certificate, and no
        // PIN attempt is counted.
        if (!string.Equals(certificateSha256, Convert.ToHexStringLower(SHA256.HashData(der)), StringComparison.Ordinal))
        {
            return new SignOutcome.Refused(Errors.BadRequest);
        }

        if (attempts.IsLocked(serial) || info.TokenFlags.UserPinLocked)
        {
            return new SignOutcome.Refused(Errors.PinLocked, 0);
        }

        var login = Login(session, serial, pin);
        if (login is not null)
        {
            return login;
        }

        try
        {
            var key = session.FindAllObjects(
            [
                f.Create(CKA.CKA_CLASS, CKO.CKO_PRIVATE_KEY),
                f.Create(CKA.CKA_ID, certificateId),
            ]).FirstOrDefault();
            if (key is null)
            {
                return new SignOutcome.Refused(Errors.CertificateNotFound);
            }

            // The key's own type decides the mechanism (cheaper than parsing the certificate per signature).
            var keyType = (CKK)session.GetAttributeValue(key, [CKA.CKA_KEY_TYPE])[0].GetValueAsUlong();
            byte[] signature;
            string algorithm;
            if (keyType == CKK.CKK_RSA)
            {
                using var mechanism = session.Factories.MechanismFactory.Create(CKM.CKM_SHA256_RSA_PKCS);
                signature = session.Sign(mechanism, key, data);
                algorithm = "RS256";
            }
            else if (keyType == CKK.CKK_EC)
            {
                // CKM_ECDSA signs a given hash; many tokens lack CKM_ECDSA_SHA256, so hash here.
                using var mechanism = session.Factories.MechanismFactory.Create(CKM.CKM_ECDSA);
                signature = session.Sign(mechanism, key, SHA256.HashData(data));
                algorithm = "ES256";
            }
            else
            {
                return new SignOutcome.Refused(Errors.CertificateNotFound);
            }

            return new SignOutcome.Signed(new SignResponse(algorithm, Convert.ToBase64String(signature), Convert.ToBase64String(der)));
        }
        finally
        {
            try
            {
                session.Logout();
            }
            catch (Pkcs11Exception)
            {
                // Token gone after signing; closing the session ends the login anyway.
            }
        }
    }

    /// <summary>Null when logged in; otherwise the refusal. The PIN goes to the token and nowhere else.</summary>
    private SignOutcome.Refused? Login(Net.Pkcs11Interop.HighLevelAPI.ISession session, string serial, string pin)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                session.Login(CKU.CKU_USER, pin);
                attempts.Reset(serial);
                return null;
            }
            catch (Pkcs11Exception e) when (e.RV is CKR.CKR_PIN_INCORRECT or CKR.CKR_PIN_LEN_RANGE)
            {
                var left = attempts.RecordFailure(serial);
                return left > 0
                    ? new SignOutcome.Refused(Errors.PinIncorrect, left)
                    : new SignOutcome.Refused(Errors.PinLocked, 0);
            }
            catch (Pkcs11Exception e) when (e.RV == CKR.CKR_PIN_LOCKED)
            {
                return new SignOutcome.Refused(Errors.PinLocked, 0);
            }
            catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_ALREADY_LOGGED_IN && attempt == 0)
            {
                // Someone else's login must not let a signature through without checking this PIN.
                session.Logout();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token {Serial} failed with {Rv}; treated as removed")]
    private static partial void LogTokenFailed(ILogger logger, string serial, CKR rv);
}
