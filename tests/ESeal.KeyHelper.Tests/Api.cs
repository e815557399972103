using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using ESeal.TestPki;

namespace ESeal.KeyHelper.Tests;

/// <summary>What a page does with fetch(), and what the server does to check the proof.</summary>
internal static class Api
{
    public sealed record Reply(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)
    {
        public string? Error => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("error", out var e) ? e.GetString() : null;

        public int? AttemptsLeft => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("attemptsLeft", out var a) ? a.GetInt32() : null;
    }

    public static async Task<Reply> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new Reply(response.StatusCode, body, response);
    }

    public static Task<Reply> GetTokensAsync(HttpClient client, string? query = null, string? origin = HelperProcess.Origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tokens" + query);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return SendAsync(client, request);
    }

    /// <summary>
    /// A context as the portal builds it (<c>ProofVerifier.Context</c>), written out again here: it names the token
    /// and the certificate the helper signs with, or the helper refuses it.
    /// </summary>
    public static string Context(string tokenSerial, string certificateSha256, string action = "bind", string instance = "6f1c2a34-0000-4000-8000-000000000001") =>
        $"eseal-proof/1;action={action};instance={instance};enterprise=91330106MA2B3C4D5D;seal=-;token={tokenSerial};cert={certificateSha256}";

    public static string Context(TokenInfo token, CertificateInfo certificate, string action = "bind") => Context(token.Serial, certificate.Sha256, action);

    /// <summary>What the portal's page sends: a well-formed context for this token and certificate unless one is given.</summary>
    public static Task<Reply> SignAsync(HttpClient client, TokenInfo token, CertificateInfo certificate, string pin, string nonce = "nonce-1", string? context = null, string? origin = HelperProcess.Origin) =>
        SignRawAsync(client, token.Serial, certificate.Id, pin, nonce, context ?? Context(token, certificate), origin);

    public static Task<Reply> SignRawAsync(HttpClient client, string serial, string certificateId, string pin, string nonce, string context, string? origin = HelperProcess.Origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/sign")
        {
            Content = JsonContent.Create(new { tokenSerial = serial, certificateId, pin, nonce, context }),
        };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return SendAsync(client, request);
    }

    /// <summary>§4, written out again here on purpose instead of calling the helper's code.</summary>
    public static byte[] ExpectedSignedBytes(string origin, string nonce, string context) =>
    [
        .. Encoding.ASCII.GetBytes("ESEAL-PROOF-V1"),
        .. SHA256.HashData(Encoding.UTF8.GetBytes(origin)),
        .. SHA256.HashData(Encoding.UTF8.GetBytes(nonce)),
        .. SHA256.HashData(Encoding.UTF8.GetBytes(context)),
    ];

    /// <summary>The server's check: RS256 = PKCS#1 v1.5/SHA-256, ES256 = P-256/SHA-256 with raw r‖s.</summary>
    public static bool Verifies(JsonElement signed, string origin, string nonce, string context)
    {
        var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(signed.GetProperty("certificate").GetString()!));
        var signature = Convert.FromBase64String(signed.GetProperty("signature").GetString()!);
        var data = ExpectedSignedBytes(origin, nonce, context);
        return signed.GetProperty("algorithm").GetString() switch
        {
            "RS256" => certificate.GetRSAPublicKey()!.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "ES256" => signature.Length == 64 && certificate.GetECDsaPublicKey()!.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            _ => false,
        };
    }

    /// <summary>The PIN report bytes, written out again here on purpose instead of calling the helper's PinReport.</summary>
    public static byte[] ExpectedReportBytes(string origin, string nonce, string context, string tokenSerial, string error, string attemptsLeftText) =>
    [
        .. Encoding.ASCII.GetBytes("ESEAL-PIN-REPORT-V1"),
        .. SHA256.HashData(Encoding.UTF8.GetBytes(origin)),
        .. SHA256.HashData(Encoding.UTF8.GetBytes(nonce)),
        .. SHA256.HashData(Encoding.UTF8.GetBytes(context)),
        .. SHA256.HashData(Encoding.UTF8.GetBytes(tokenSerial)),
        .. SHA256.HashData(Encoding.UTF8.GetBytes(error)),
        .. SHA256.HashData(Encoding.UTF8.GetBytes(attemptsLeftText)),
    ];

    /// <summary>The report key as GET /v1/info shows it: (reportKeyId, SubjectPublicKeyInfo DER).</summary>
    public static async Task<(string KeyId, byte[] Spki)> ReportKeyAsync(HttpClient client)
    {
        var info = await SendAsync(client, new HttpRequestMessage(HttpMethod.Get, "/v1/info"));
        return (info.Body.GetProperty("reportKeyId").GetString()!, Convert.FromBase64String(info.Body.GetProperty("reportKey").GetString()!));
    }

    /// <summary>
    /// What the portal does with a PIN answer from an enrolled helper: the report names that key and its
    /// signature (ECDSA P-256/SHA-256, raw r‖s) verifies over the facts the portal itself knows.
    /// </summary>
    public static bool ReportVerifies(Reply reply, (string KeyId, byte[] Spki) key, string origin, string nonce, string context, string tokenSerial, string error, string attemptsLeftText)
    {
        if (!reply.Body.TryGetProperty("report", out var report) || report.GetProperty("keyId").GetString() != key.KeyId)
        {
            return false;
        }

        var signature = Convert.FromBase64String(report.GetProperty("signature").GetString()!);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(key.Spki, out _);
        return signature.Length == 64
            && ecdsa.VerifyData(ExpectedReportBytes(origin, nonce, context, tokenSerial, error, attemptsLeftText), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    public static JsonElement Token(Reply list, string serial) =>
        list.Body.GetProperty("tokens").EnumerateArray().Single(t => t.GetProperty("serial").GetString() == serial);

    public static bool Lists(Reply list, string serial) =>
        list.Body.GetProperty("tokens").EnumerateArray().Any(t => t.GetProperty("serial").GetString() == serial);

    /// <summary>Polls the list until the condition holds (the watcher ticks every 300 ms in tests).</summary>
    public static async Task<Reply> WaitForListAsync(HttpClient client, Func<Reply, bool> condition, int seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var list = await GetTokensAsync(client);
            if (condition(list) || DateTime.UtcNow > deadline)
            {
                return list;
            }

            await Task.Delay(100);
        }
    }
}
