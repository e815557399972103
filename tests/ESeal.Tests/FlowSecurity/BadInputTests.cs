using System.Net;
using ESeal.Workflows.Activities.ChooseCertificate;
using ESeal.Workflows.Activities.ChooseSeal;
using ESeal.Workflows.Activities.DetectKey;
using ESeal.Workflows.Activities.HolderForm;
using ESeal.Workflows.Activities.PinProof;

namespace ESeal.Tests.FlowSecurity;

/// <summary>SPEC §5: bad input of any kind gets a clear message next to what was wrong, never a server error.</summary>
public sealed class BadInputTests(FlowSecurityFactory factory) : IClassFixture<FlowSecurityFactory>
{
    private const string NoKeyText = "未检测到USBKEY，请插入USBKEY后点击刷新。";
    private const string NoCertificateText = "未检测到证书，请重新插入USBKEY或检查驱动是否正确安装";

    public static TheoryData<string, string> GarbageTokenLists => new()
    {
        { "{not json", NoKeyText },
        { "", NoKeyText },
        { "[]", NoKeyText },
        { "{\"tokens\":{}}", NoKeyText },
        { "{\"tokens\":[]}", NoKeyText },
        { "{\"tokens\":[{\"serial\":123}]}", NoKeyText },
        { "{\"tokens\":[{\"serial\":\"" + new string('S', 65) + "\"}]}", NoKeyText },
        { "{\"tokens\":[{\"serial\":\"GARBAGE1\",\"certificates\":[{\"id\":\"01\",\"der\":\"!!!not base64\"}]}]}", NoCertificateText },
        { "{\"tokens\":[{\"serial\":\"GARBAGE2\",\"certificates\":[{\"id\":\"01\",\"der\":\"AAAA\"}]}]}", NoCertificateText },
        { "{\"tokens\":[{\"serial\":\"GARBAGE3\",\"certificates\":[{\"id\":1,\"der\":null}]}]}", NoCertificateText },
        { new string('[', 10_000), NoKeyText },
    };

    [Theory]
    [MemberData(nameof(GarbageTokenLists))]
    public async Task A_garbage_token_list_at_the_key_step_gets_the_no_key_or_no_certificate_text_not_a_500(string tokens, string expected)
    {
        // Tried: the helper's GET /v1/tokens answer replaced by malformed JSON, wrong types, deep nesting, bad DER.
        using var browser = factory.NewBrowser();
        var detect = await browser.ToDetectKeyAsync();
        var before = browser.Snapshot();

        var answer = await browser.PostStepAsync(detect, new Dictionary<string, string> { [DetectKeyFields.Tokens] = tokens });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("DetectKey", answer.Step);
        Assert.Contains(expected, answer.Html, StringComparison.Ordinal);
        before.AssertUnchanged(browser.Snapshot());
    }

    [Fact]
    public async Task A_100_KB_holder_name_gets_the_length_message_next_to_the_field_and_the_other_fields_are_kept()
    {
        // Tried: 100 KB in 持章人姓名 (under the 256 KB post limit once URL-encoded, so the step handler sees it).
        using var browser = factory.NewBrowser();
        var holder = await browser.ToHolderFormAsync();
        var before = browser.Snapshot();

        var answer = await browser.PostStepAsync(holder, FlowBrowser.HolderFields(name: new string('a', 100 * 1024)));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("HolderForm", answer.Step);
        Assert.Contains("<p id=\"holderName-error\" class=\"error-text\">持章人姓名不能超过50个字</p>", answer.Html, StringComparison.Ordinal);
        Assert.Equal(FlowBrowser.HolderIdNumber, answer.HiddenValue(HolderFormFields.IdNumber));
        Assert.Equal(FlowBrowser.HolderPhone, answer.HiddenValue(HolderFormFields.Phone));
        before.AssertUnchanged(browser.Snapshot());
    }

    [Fact]
    public async Task A_100_KB_Chinese_holder_name_that_exceeds_the_post_limit_once_encoded_gets_413_with_a_message()
    {
        // Tried: 100 KB of Chinese characters (about 300 KB URL-encoded, over the 256 KB flow post limit).
        using var browser = factory.NewBrowser();
        var holder = await browser.ToHolderFormAsync();
        var before = browser.Snapshot();

        var answer = await browser.PostStepAsync(holder, FlowBrowser.HolderFields(name: new string('名', 100 * 1024 / 3)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.Status);
        Assert.Contains("提交的内容过大或格式不正确，本次提交未生效，请刷新页面后重试。", answer.Html, StringComparison.Ordinal);
        before.AssertUnchanged(browser.Snapshot());
    }

    [Fact]
    public async Task A_100_KB_value_in_any_other_field_never_yields_a_500()
    {
        // Tried: 100 KB in the token list, in the token serial, then in each proof field and the nonce, one field per post.
        var big = new string('A', 100 * 1024);
        using var browser = factory.NewBrowser();
        var detect = await browser.ToDetectKeyAsync();
        foreach (var field in new[] { DetectKeyFields.Tokens, DetectKeyFields.TokenSerial })
        {
            var answer = await browser.PostStepAsync(detect, new Dictionary<string, string> { [field] = big });
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            Assert.Contains(NoKeyText, answer.Html, StringComparison.Ordinal);
        }

        using var atPin = factory.NewBrowser();
        var pin = await atPin.ToPinAsync();
        var before = atPin.Snapshot();
        foreach (var field in new[] { PinProofFields.Algorithm, PinProofFields.Signature, PinProofFields.Certificate, PinProofFields.Result })
        {
            var challenge = await atPin.ChallengeAsync(pin);
            var fields = FlowBrowser.ProofFields(challenge.Nonce, FlowSecurityPki.Sign(FlowSecurityPki.Instance.Good, FlowSecurityFactory.Origin, challenge.Nonce, challenge.Context));
            fields[field] = big;
            var answer = await atPin.PostStepAsync(pin, fields);
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            Assert.Equal("PinProof", answer.Step);
            before.AssertSameStepAndBusiness(atPin.Snapshot());
        }

        var bigNonce = await atPin.PostStepAsync(pin, new Dictionary<string, string> { [PinProofFields.Result] = "signed", [PinProofFields.Nonce] = big });
        Assert.Equal(HttpStatusCode.OK, bigNonce.Status);
        Assert.Contains("本次验证已失效，请重新输入PIN码。", bigNonce.Html, StringComparison.Ordinal);
        before.AssertSameStepAndBusiness(atPin.Snapshot());
    }

    [Fact]
    public async Task Unknown_fields_and_a_field_named_pin_are_ignored_and_never_stored()
    {
        // Tried: extra fields at the key step and at the holder form, among them "pin" and "__proto__".
        using var browser = factory.NewBrowser();
        var detect = await browser.ToDetectKeyAsync();
        var fields = new Dictionary<string, string>
        {
            [DetectKeyFields.Tokens] = FlowSecurityPki.TokensJson(browser.TokenSerial, FlowSecurityPki.Instance.Good),
            ["pin"] = "123456",
            ["__proto__"] = "{\"x\":1}",
            ["enterpriseId"] = Guid.NewGuid().ToString("D"),
            ["creditCode"] = "91110108MA01K2L3P0",
            ["unknown[]"] = "x",
        };

        var choose = await browser.AdvanceAsync(detect, fields);
        Assert.Equal("ChooseCertificate", choose.Step);
        var holder = await browser.AdvanceAsync(choose, new Dictionary<string, string> { [ChooseCertificateFields.CertificateId] = "01", ["pin"] = "123456", ["enterpriseId"] = Guid.NewGuid().ToString("D") });
        Assert.Equal("HolderForm", holder.Step);

        var variables = browser.Snapshot().Variables;
        Assert.DoesNotContain("123456", variables, StringComparison.Ordinal);
        Assert.DoesNotContain("__proto__", variables, StringComparison.Ordinal);
        Assert.Contains(ESeal.Db.Demo.DemoData.Hangzhou.Id.ToString("D"), variables, StringComparison.OrdinalIgnoreCase); // enterprise from the certificate, not the form
        Assert.Contains(ESeal.Db.Demo.DemoData.Hangzhou.Name, holder.Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("' OR 1=1 --")]
    [InlineData("{6d1f0a52-8f43-4c1e-9a51-1a7d3e0c1001}")]
    public async Task A_seal_id_that_is_not_one_of_the_enterprises_seals_gets_the_choose_a_seal_message(string sealId)
    {
        // Tried: a non-GUID, the empty GUID, SQL text and the enterprise's own id instead of a seal id.
        using var browser = factory.NewBrowser();
        var choose = await browser.ToChooseSealAsync();
        var before = browser.Snapshot();

        var answer = await browser.PostStepAsync(choose, new Dictionary<string, string> { [ChooseSealFields.SealId] = sealId });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("ChooseSeal", answer.Step);
        Assert.Contains("请选择一枚印章。", answer.Html, StringComparison.Ordinal);
        before.AssertUnchanged(browser.Snapshot());
    }

    [Fact]
    public async Task A_seal_of_another_enterprise_cannot_be_chosen()
    {
        // Tried: at the Hangzhou key's seal choice, post an unbound Beijing seal's id.
        using var browser = factory.NewBrowser();
        var choose = await browser.ToChooseSealAsync();
        var before = browser.Snapshot();
        var beijing = ESeal.Db.Demo.DemoData.Beijing.Seals.First(s => s.State == ESeal.Db.Demo.DemoData.DemoState.Unbound).Id;

        var answer = await browser.PostStepAsync(choose, new Dictionary<string, string> { [ChooseSealFields.SealId] = beijing.ToString("D"), [ChooseSealFields.ConfirmRelease] = "true" });

        Assert.Equal("ChooseSeal", answer.Step);
        Assert.Contains("请选择一枚印章。", answer.Html, StringComparison.Ordinal);
        before.AssertUnchanged(browser.Snapshot());
    }

    [Fact]
    public async Task Script_tags_in_the_holder_name_are_shown_encoded_never_as_markup()
    {
        // Tried: 持章人姓名 = <script>…</script> and an attribute breaker, with a bad phone so the form comes back filled in.
        const string name = "<script>alert(1)</script>\"><img src=x>";
        using var browser = factory.NewBrowser();
        var holder = await browser.ToHolderFormAsync();

        var answer = await browser.PostStepAsync(holder, FlowBrowser.HolderFields(name: name, phone: "12345"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("HolderForm", answer.Step);
        Assert.DoesNotContain("<script>alert", answer.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x>", answer.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x&gt;", answer.Html, StringComparison.Ordinal);
        Assert.Equal(name, answer.HiddenValue(HolderFormFields.Name));
        Assert.Contains("holderPhone-error", answer.Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zero-width joiner only", "\u200D", "持章人姓名不能包含控制字符或不可见的格式字符")]
    [InlineData("BOM only", "\uFEFF", "持章人姓名不能包含控制字符或不可见的格式字符")]
    [InlineData("control characters 01 02 03", "\u0001\u0002\u0003", "持章人姓名不能包含控制字符或不可见的格式字符")]
    [InlineData("RTL override before a real name", "\u202E王建国", "持章人姓名不能包含控制字符或不可见的格式字符")]
    [InlineData("zero-width space inside a real name", "王\u200B建国", "持章人姓名不能包含控制字符或不可见的格式字符")]
    [InlineData("combining marks only", "\u0301\u0301", "请输入持章人姓名")]
    public async Task A_holder_name_with_nothing_visible_or_with_hidden_characters_gets_the_message_next_to_the_field_and_keeps_the_rest(string tried, string name, string message)
    {
        // Tried: 持章人姓名 = the case named in `tried`; the other three fields valid.
        Assert.False(string.IsNullOrEmpty(tried));
        using var browser = factory.NewBrowser();
        var holder = await browser.ToHolderFormAsync();
        var before = browser.Snapshot();

        var answer = await browser.PostStepAsync(holder, FlowBrowser.HolderFields(name: name));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("HolderForm", answer.Step);
        Assert.Contains($"<p id=\"holderName-error\" class=\"error-text\">{message}</p>", answer.Html, StringComparison.Ordinal);
        Assert.Equal(FlowBrowser.HolderIdNumber, answer.HiddenValue(HolderFormFields.IdNumber));
        Assert.Equal(FlowBrowser.HolderPhone, answer.HiddenValue(HolderFormFields.Phone));
        before.AssertUnchanged(browser.Snapshot());
    }

    [Fact]
    public async Task Control_characters_and_lone_surrogates_in_fields_never_yield_a_500()
    {
        // Tried: NUL, a lone UTF-16 surrogate (sent as invalid UTF-8 bytes) and bidi overrides in the holder form.
        using var browser = factory.NewBrowser();
        var holder = await browser.ToHolderFormAsync();
        var form = FlowBrowser.Form(holder.Antiforgery, holder.StepToken, null);
        var body = string.Join('&', form.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"))
            + "&holderName=%00%ED%A0%80%E2%80%AE" + "&holderIdType=%FF%FE&holderIdNumber=%00&holderPhone=%C0%80";
        using var content = new StringContent(body, System.Text.Encoding.ASCII, "application/x-www-form-urlencoded");

        using var response = await browser.Http.PostAsync(new Uri(browser.FlowUrl, UriKind.Relative), content);
        var html = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {FlowBrowser.Excerpt(html)}");
        Assert.Equal("HolderForm", (await browser.GetAsync()).Step);
    }
}

/// <summary>Issue 9 (6): the inputs of the report, each once by name (the corpus tries them everywhere).</summary>
public sealed class BadInputReportedTests(FlowSecurityFactory factory) : IClassFixture<FlowSecurityFactory>
{
    [Theory]
    [InlineData("application/json", "{\"holderName\":\"王建国\"}", "")]
    [InlineData("text/plain", "holderName=王建国", "")]
    [InlineData("application/xml", "<holderName>王建国</holderName>", "")]
    [InlineData("application/json", "{}", "?handler=Challenge")]
    [InlineData("text/plain", "x", "?handler=Challenge")]
    [InlineData("application/xml", "<x/>", "?handler=Challenge")]
    public async Task A_non_form_body_with_a_valid_antiforgery_header_gets_415_with_a_message_and_changes_nothing(string contentType, string body, string handler)
    {
        // Tried: POST /flow/{id}{handler} with this content type and the antiforgery token in the header (as htmx sends it).
        using var browser = factory.NewBrowser();
        var page = handler.Length == 0 ? await browser.ToHolderFormAsync() : await browser.ToPinAsync();
        var before = browser.Snapshot();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(browser.FlowUrl + handler, UriKind.Relative))
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, contentType),
        };
        request.Headers.Add("RequestVerificationToken", page.Antiforgery);

        using var response = await browser.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var message = handler.Length == 0 ? text : System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("message").GetString();
        Assert.Contains("提交的内容格式不正确，本次提交未生效，请刷新页面后重试。", message, StringComparison.Ordinal);
        before.AssertUnchanged(browser.Snapshot());
        Assert.Equal(handler.Length == 0 ? "HolderForm" : "PinProof", (await browser.GetAsync()).Step);
    }

    [Fact]
    public async Task A_blank_face_ticket_in_the_phone_url_gets_the_invalid_code_page_not_a_500()
    {
        // Tried: GET /m/face/%20%20%20 (three spaces: the route binder makes the ticket null).
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/m/face/%20%20%20", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("二维码无效或已过期，请在电脑页面重新生成二维码。", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

/// <summary>A body ASP.NET's form reader refuses outright (a %00 in any value) never reaches the step.</summary>
public sealed class UnreadableFormTests(FlowSecurityFactory factory) : IClassFixture<FlowSecurityFactory>
{
    [Fact]
    public async Task A_NUL_in_a_form_value_gets_400_saying_the_submission_did_not_count_with_the_way_back_to_the_flow()
    {
        // Tried: 持章人姓名=%00 in an otherwise valid holder form; antiforgery cannot read the form and answers 400.
        using var browser = factory.NewBrowser();
        var holder = await browser.ToHolderFormAsync();
        var before = browser.Snapshot();
        var body = string.Join('&', FlowBrowser.Form(holder.Antiforgery, holder.StepToken, FlowBrowser.HolderFields()).Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"))
            + "&holderName=%00";
        using var content = new StringContent(body, System.Text.Encoding.ASCII, "application/x-www-form-urlencoded");

        using var response = await browser.Http.PostAsync(new Uri(browser.FlowUrl, UriKind.Relative), content);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("提交的内容无法处理（页面可能已过期，或含有无法识别的字符），本次提交未生效，请返回办理页面重试。", html, StringComparison.Ordinal);
        Assert.DoesNotContain("服务暂时不可用", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"{browser.FlowUrl}\"", html, StringComparison.Ordinal);
        before.AssertUnchanged(browser.Snapshot());
        Assert.Equal("HolderForm", (await browser.GetAsync()).Step);
    }
}
