using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ESeal.Workflows.Jobs;
using ESeal.Workflows.Proof;

namespace ESeal.Workflows.Tests;

/// <summary>
/// Issue 9 ("Revoked keys"): a lost or revoked USBKEY must not prove. Revocation is read from the
/// CA's CRLs as configured (never from the certificate), verified against the configured CA, and
/// fails closed when the CRL is missing, stale or not the CA's.
/// </summary>
public sealed class RevocationTests
{
    private const string Origin = "https://eseal.test";
    private static readonly TestPki Pki = TestPki.Instance;

    private static string Context(X509Certificate2 leaf) =>
        ProofVerifier.Context("bind", Guid.Parse("11111111-2222-3333-4444-555555555555"), TestPki.HangzhouCode, null, "TESTKEY-0001", TestPki.Sha256(leaf));

    private static ProofVerification Prove(ProofVerifier verifier, X509Certificate2 leaf)
    {
        var nonce = ProofVerifier.NewNonce();
        var proof = TestPki.Sign(leaf, Origin, nonce, Context(leaf));
        return verifier.Verify(proof, new ProofExpectation(nonce, Context(leaf), TestPki.HangzhouCode, TestPki.Sha256(leaf)));
    }

    private static ProofVerifier VerifierReading(TimeProvider clock, TimeSpan maxCrlAge, params string[] crlFiles) =>
        new(Origin, Pki.Roots, clock, new CrlRevocationCheck(new CrlStore(crlFiles, Pki.Roots), maxCrlAge));

    private static string NewFile(string name) => Path.Combine(TestPki.CrlDirectory, Guid.NewGuid().ToString("N") + "-" + name);

    [Fact]
    public void A_revoked_certificate_is_refused_with_Revoked_and_says_so_in_Chinese()
    {
        var result = Prove(Pki.Verifier(Origin, TimeProvider.System), Pki.RevokedLeaf);

        Assert.Equal(ProofFailure.Revoked, result.Failure);
        Assert.Equal("该证书已被CA吊销，不能用于办理。如USBKEY遗失或已更换，请联系CA。", result.Detail);
    }

    [Fact]
    public void A_revoked_certificate_is_refused_by_the_trust_check_itself_so_key_detection_refuses_it_too()
    {
        var verdict = Pki.Verifier(Origin, TimeProvider.System).Trust.Evaluate(Pki.RevokedLeaf);

        Assert.False(verdict.IsTrusted);
        Assert.Equal(ProofFailure.Revoked, verdict.Failure);
    }

    [Fact]
    public void A_good_certificate_passes_with_a_fresh_CRL()
    {
        Assert.Equal(ProofFailure.None, Prove(Pki.Verifier(Origin, TimeProvider.System), Pki.RsaLeaf).Failure);
        Assert.Equal(ProofFailure.None, Prove(Pki.Verifier(Origin, TimeProvider.System), Pki.EcLeaf).Failure);
    }

    [Fact]
    public void A_CRL_whose_nextUpdate_passed_more_than_MaxCrlAge_ago_gives_RevocationUnknown()
    {
        var clock = new FakeClock(DateTimeOffset.UtcNow);
        var start = clock.GetUtcNow();
        var path = NewFile("stale.crl");
        File.WriteAllBytes(path, TestPki.Crl(Pki.Root, [Pki.RevokedLeaf], start.AddHours(-1), start.AddHours(1)));
        var verifier = VerifierReading(clock, TimeSpan.FromDays(1), path);
        Assert.Equal(ProofFailure.None, Prove(verifier, Pki.RsaLeaf).Failure);

        // Past nextUpdate, still inside MaxCrlAge: the CA may publish late, the job may fail for a while.
        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromDays(1) - TimeSpan.FromMinutes(1));
        Assert.Equal(ProofFailure.None, Prove(verifier, Pki.RsaLeaf).Failure);

        clock.Advance(TimeSpan.FromMinutes(2));
        var stale = Prove(verifier, Pki.RsaLeaf);
        Assert.Equal(ProofFailure.RevocationUnknown, stale.Failure);
        Assert.Equal("暂时无法确认该证书是否已被吊销，请稍后重试或联系工作人员。", stale.Detail);

        // A certificate listed in the newest CRL stays revoked however old that CRL is.
        Assert.Equal(ProofFailure.Revoked, Prove(verifier, Pki.RevokedLeaf).Failure);
    }

    [Fact]
    public void A_missing_CRL_gives_RevocationUnknown()
    {
        var verifier = VerifierReading(TimeProvider.System, TimeSpan.FromDays(1), NewFile("never-written.crl"));
        Assert.Equal(ProofFailure.RevocationUnknown, Prove(verifier, Pki.RsaLeaf).Failure);

        // The constructor without CRLs fails closed too: it is never silently "trusted".
        Assert.Equal(ProofFailure.RevocationUnknown, Prove(new ProofVerifier(Origin, Pki.Roots, TimeProvider.System), Pki.RsaLeaf).Failure);
    }

    [Fact]
    public void A_CRL_signed_by_another_CA_is_ignored()
    {
        var now = DateTimeOffset.UtcNow;
        var otherCas = NewFile("other-ca.crl");
        File.WriteAllBytes(otherCas, TestPki.Crl(Pki.OtherRoot, [], now.AddHours(-1), now.AddDays(7)));

        // Forged: names our root as issuer, but signed by another key.
        using var forger = RSA.Create(2048);
        var forged = NewFile("forged.crl");
        File.WriteAllBytes(forged, new CertificateRevocationListBuilder().Build(
            Pki.Root.SubjectName,
            X509SignatureGenerator.CreateForRSA(forger, RSASignaturePadding.Pkcs1),
            BigInteger(now),
            now.AddDays(7),
            HashAlgorithmName.SHA256,
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Pki.Root, true, false),
            now.AddHours(-1)));

        var verifier = VerifierReading(TimeProvider.System, TimeSpan.FromDays(1), otherCas, forged);
        Assert.Equal(ProofFailure.RevocationUnknown, Prove(verifier, Pki.RsaLeaf).Failure);

        // Something that only looks like a CRL is no CRL either.
        var garbage = NewFile("garbage.crl");
        File.WriteAllText(garbage, "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
        Assert.Equal(ProofFailure.RevocationUnknown, Prove(VerifierReading(TimeProvider.System, TimeSpan.FromDays(1), garbage), Pki.RsaLeaf).Failure);
    }

    [Fact]
    public void A_changed_CRL_file_is_read_again_and_the_newest_CRL_of_the_issuer_wins()
    {
        var now = DateTimeOffset.UtcNow;
        var path = NewFile("changing.crl");
        File.WriteAllBytes(path, TestPki.Crl(Pki.Root, [], now.AddHours(-2), now.AddDays(7)));
        var verifier = VerifierReading(TimeProvider.System, TimeSpan.FromDays(1), path);
        Assert.Equal(ProofFailure.None, Prove(verifier, Pki.EcLeaf).Failure);

        // The key is reported lost: the CA publishes a new CRL listing it.
        File.WriteAllBytes(path, TestPki.Crl(Pki.Root, [Pki.EcLeaf], now.AddHours(-1), now.AddDays(7)));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(1));
        Assert.Equal(ProofFailure.Revoked, Prove(verifier, Pki.EcLeaf).Failure);

        // An older CRL elsewhere that does not list it does not win.
        var older = NewFile("older.crl");
        File.WriteAllBytes(older, TestPki.Crl(Pki.Root, [], now.AddHours(-3), now.AddDays(7)));
        Assert.Equal(ProofFailure.Revoked, Prove(VerifierReading(TimeProvider.System, TimeSpan.FromDays(1), older, path), Pki.EcLeaf).Failure);
    }

    [Fact]
    public void A_PEM_CRL_is_read_and_a_delta_CRL_is_refused()
    {
        var now = DateTimeOffset.UtcNow;
        var der = TestPki.Crl(Pki.Root, [Pki.RevokedLeaf], now.AddHours(-1), now.AddDays(7));
        var pem = System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("X509 CRL", der));
        var crl = RevocationList.Parse(pem);
        Assert.True(crl.IsSignedBy(Pki.Root));
        Assert.False(crl.IsSignedBy(Pki.OtherRoot));
        Assert.True(crl.IsRevoked(Pki.RevokedLeaf));
        Assert.False(crl.IsRevoked(Pki.RsaLeaf));
        Assert.Equal(now.AddHours(-1).ToUnixTimeSeconds(), crl.ThisUpdate.ToUnixTimeSeconds());

        var delta = new CertificateRevocationListBuilder();
        var deltaCrl = delta.Build(Pki.Root, 5, now.AddDays(1), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.NotNull(RevocationList.Parse(deltaCrl)); // a full CRL with an empty list parses
        Assert.Throws<CryptographicException>(() => RevocationList.Parse(WithDeltaIndicator(deltaCrl)));
    }

    [Fact]
    public async Task The_job_fetches_a_CRL_over_HTTP_into_the_cache_and_a_second_run_changes_nothing()
    {
        var now = DateTimeOffset.UtcNow;
        using var server = new CrlServer(TestPki.Crl(Pki.Root, [Pki.RevokedLeaf], now.AddHours(-1), now.AddDays(7)));
        var options = new RevocationOptions { CrlSources = [server.Url], CacheDirectory = Path.Combine(TestPki.CrlDirectory, "cache-" + Guid.NewGuid().ToString("N")) };
        using var http = new HttpClient();
        var jobs = new CrlJobs(options, Pki.Roots, http);
        var trust = new CertificateTrust(Pki.Roots, TimeProvider.System, new CrlRevocationCheck(new CrlStore(options.FilesToRead(), Pki.Roots), options.MaxCrlAge));
        Assert.Equal(ProofFailure.RevocationUnknown, trust.Evaluate(Pki.RsaLeaf).Failure); // nothing fetched yet

        var first = Assert.Single(await jobs.FetchCrlsAsync());
        Assert.Equal(CrlFetchResult.Updated, first.Result);
        var cached = options.CachePath(server.Url);
        Assert.Equal(server.Body, await File.ReadAllBytesAsync(cached));
        Assert.Equal(ProofFailure.None, trust.Evaluate(Pki.RsaLeaf).Failure);
        Assert.Equal(ProofFailure.Revoked, trust.Evaluate(Pki.RevokedLeaf).Failure);

        var writtenAt = File.GetLastWriteTimeUtc(cached);
        Assert.Equal(CrlFetchResult.Unchanged, Assert.Single(await jobs.FetchCrlsAsync()).Result);
        Assert.Equal(writtenAt, File.GetLastWriteTimeUtc(cached));
        Assert.Equal([cached], Directory.GetFiles(options.CacheDirectory)); // no temporary files left behind
        Assert.Equal(2, server.Requests);

        // What the server sends next must be the CA's and not older than what we have.
        var good = await File.ReadAllBytesAsync(cached);
        server.Body = TestPki.Crl(Pki.OtherRoot, [], now, now.AddDays(7));
        Assert.Equal(CrlFetchResult.Rejected, Assert.Single(await jobs.FetchCrlsAsync()).Result);
        server.Body = TestPki.Crl(Pki.Root, [], now.AddHours(-5), now.AddDays(7));
        Assert.Equal(CrlFetchResult.KeptNewer, Assert.Single(await jobs.FetchCrlsAsync()).Result);
        server.Status = HttpStatusCode.InternalServerError;
        Assert.Equal(CrlFetchResult.Failed, Assert.Single(await jobs.FetchCrlsAsync()).Result);
        Assert.Equal(good, await File.ReadAllBytesAsync(cached));
        Assert.Equal(ProofFailure.Revoked, trust.Evaluate(Pki.RevokedLeaf).Failure);
    }

    [Fact]
    public async Task Offline_mode_never_fetches_and_reads_only_the_configured_files()
    {
        var now = DateTimeOffset.UtcNow;
        using var server = new CrlServer(TestPki.Crl(Pki.Root, [], now.AddHours(-1), now.AddDays(7)));
        var file = NewFile("offline.crl");
        File.WriteAllBytes(file, TestPki.Crl(Pki.Root, [Pki.RevokedLeaf], now.AddHours(-1), now.AddDays(7)));
        var options = new RevocationOptions
        {
            Mode = CrlMode.Offline,
            CrlSources = [server.Url, file],
            CacheDirectory = Path.Combine(TestPki.CrlDirectory, "cache-" + Guid.NewGuid().ToString("N")),
        };
        using var http = new HttpClient();

        Assert.Empty(await new CrlJobs(options, Pki.Roots, http).FetchCrlsAsync());
        Assert.Equal(0, server.Requests);
        Assert.False(Directory.Exists(options.CacheDirectory));
        Assert.Equal([file], options.FilesToRead());

        var verifier = ProofVerifier.FromOptions(new ProofOptions { PublicOrigin = Origin, CaRootPaths = [RootFile()], Revocation = options }, TimeProvider.System);
        Assert.Equal(ProofFailure.Revoked, Prove(verifier, Pki.RevokedLeaf).Failure);
        Assert.Equal(ProofFailure.None, Prove(verifier, Pki.RsaLeaf).Failure);
    }

    private static string RootFile()
    {
        var path = NewFile("root.pem");
        File.WriteAllText(path, Pki.Root.ExportCertificatePem());
        return path;
    }

    private static System.Numerics.BigInteger BigInteger(DateTimeOffset at) => new(at.ToUnixTimeSeconds());

    /// <summary>Re-signs <paramref name="crl"/>'s content with a deltaCRLIndicator extension added (by rebuilding it).</summary>
    private static byte[] WithDeltaIndicator(byte[] crl)
    {
        // CertificateRevocationListBuilder cannot add CRL extensions, so splice one into the DER:
        // only parsing is under test here (a delta CRL is refused before its signature matters).
        var reader = new System.Formats.Asn1.AsnReader(crl, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        var tbs = reader.ReadSequence();
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                while (tbs.HasData)
                {
                    var tag = tbs.PeekTag();
                    if (tag.TagClass == System.Formats.Asn1.TagClass.ContextSpecific && tag.TagValue == 0)
                    {
                        tbs.ReadEncodedValue();
                        continue;
                    }

                    writer.WriteEncodedValue(tbs.ReadEncodedValue().Span);
                }

                using (writer.PushSequence(new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 0)))
                using (writer.PushSequence())
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("2.5.29.27");
                    writer.WriteBoolean(true);
                    writer.WriteOctetString([0x02, 0x01, 0x04]);
                }
            }

            while (reader.HasData)
            {
                writer.WriteEncodedValue(reader.ReadEncodedValue().Span);
            }
        }

        return writer.Encode();
    }

    /// <summary>The CA's CRL distribution point, on loopback: serves <see cref="Body"/> and counts requests.</summary>
    private sealed class CrlServer : IDisposable
    {
        private readonly HttpListener listener = new();
        private int requests;

        public CrlServer(byte[] body)
        {
            Body = body;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/crl/root.crl";
                probe.Stop();
            }

            listener.Prefixes.Add(Url[..(Url.LastIndexOf('/') + 1)]);
            listener.Start();
            _ = Task.Run(LoopAsync);
        }

        public string Url { get; }

        public byte[] Body { get; set; }

        public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

        public int Requests => Volatile.Read(ref requests);

        private async Task LoopAsync()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                Interlocked.Increment(ref requests);
                context.Response.StatusCode = (int)Status;
                if (Status == HttpStatusCode.OK)
                {
                    context.Response.ContentType = "application/pkix-crl";
                    await context.Response.OutputStream.WriteAsync(Body);
                }

                context.Response.Close();
            }
        }

        public void Dispose()
        {
            listener.Stop();
            listener.Close();
        }
    }
}
