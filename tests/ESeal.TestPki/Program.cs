using System.Text.Json;
using ESeal.TestPki;

// Usage: ESeal.TestPki init --dir DIR [--demo]
//        ESeal.TestPki init-codesign --dir DIR   (publisher PKI and release-key token, see CodeSigning)
//   creates DIR/pki (root-ca.crt is PEM, root-ca.crl DER), DIR/softhsm2.conf, DIR/tokens, DIR/summary.json
//   and prints the summary. --demo creates only the demo token of 杭州云印.
if (args is ["init-codesign", "--dir", var codesignDir])
{
    Console.WriteLine(JsonSerializer.Serialize(CodeSigning.Init(codesignDir), TestPkiSetup.JsonOptions));
    return 0;
}

if (args.Length == 0 || args[0] != "init")
{
    await Console.Error.WriteLineAsync("usage: ESeal.TestPki init --dir DIR [--demo] [--module /usr/lib/softhsm/libsofthsm2.so] | init-codesign --dir DIR");
    return 2;
}

string? dir = null;
var demo = false;
var module = SoftHsm.DefaultModulePath;
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--dir" when i + 1 < args.Length:
            dir = args[++i];
            break;
        case "--module" when i + 1 < args.Length:
            module = args[++i];
            break;
        case "--demo":
            demo = true;
            break;
        default:
            await Console.Error.WriteLineAsync($"unknown argument: {args[i]}");
            return 2;
    }
}

if (dir is null)
{
    await Console.Error.WriteLineAsync("--dir is required");
    return 2;
}

var summary = TestPkiSetup.Init(dir, demo, module);
Console.OutputEncoding = System.Text.Encoding.UTF8;
Console.WriteLine(JsonSerializer.Serialize(summary, TestPkiSetup.JsonOptions));
return 0;
