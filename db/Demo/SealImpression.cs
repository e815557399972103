using System.Net;
using System.Text;

namespace ESeal.Db.Demo;

/// <summary>A simple red round-seal picture as SVG, so that seal choices have a preview.</summary>
public static class SealImpression
{
    public static string Svg(string enterpriseName, string sealType)
    {
        var name = WebUtility.HtmlEncode(enterpriseName);
        var type = WebUtility.HtmlEncode(sealType);
        var sb = new StringBuilder();
        sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 200\" role=\"img\" aria-label=\"").Append(name).Append(type).Append("印模\">");
        sb.Append("<defs><path id=\"arc\" d=\"M 30 110 A 72 72 0 1 1 170 110\"/></defs>");
        sb.Append("<circle cx=\"100\" cy=\"100\" r=\"92\" fill=\"none\" stroke=\"#c8102e\" stroke-width=\"6\"/>");
        sb.Append("<text fill=\"#c8102e\" font-size=\"17\" font-weight=\"bold\"><textPath href=\"#arc\" startOffset=\"50%\" text-anchor=\"middle\">").Append(name).Append("</textPath></text>");
        sb.Append("<polygon fill=\"#c8102e\" points=\"100,62 109,89 137,89 114,106 123,133 100,116 77,133 86,106 63,89 91,89\"/>");
        sb.Append("<text x=\"100\" y=\"162\" fill=\"#c8102e\" font-size=\"16\" text-anchor=\"middle\">").Append(type).Append("</text>");
        sb.Append("</svg>");
        return sb.ToString();
    }
}
