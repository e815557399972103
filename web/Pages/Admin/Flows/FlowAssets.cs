namespace ESeal.Web.Pages.Admin.Flows;

/// <summary>The vendored diagram library (web/libman.json); the hash is of the committed file.</summary>
public static class FlowAssets
{
    public const string MermaidIntegrity = "sha384-HHW54r639fK42Ip0coGF3mz8oSiGn0eEoWNTLs75X7H63pLSDBa0Tqs0RwGmLlXE";
}
