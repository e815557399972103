using System.Security.Cryptography;
using System.Text;
using ESeal.Browser.Tests.Infrastructure;
using ESeal.Db.Demo;
using ESeal.Db.Kiosks;
using ESeal.TestPki;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ESeal.Browser.Tests.Elder;

/// <summary>
/// Issue 12 items 5 and 6 (SPEC §9): 长辈版 on every step — larger text, AA contrast, ≥ 48 px targets,
/// axe clean — in both modes; and a kiosk whose key helper is unreachable sends the visitor to hall staff.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class ElderModeBrowserTests(PortalFixture portal)
{
    private const double StandardRootPx = 18; // site.css, kiosk and desktop widths

    private static readonly DemoData.DemoEnterprise Hz = DemoData.Hangzhou;

    [Fact]
    public async Task Elder_mode_on_every_bind_step_passes_axe_with_larger_text_48px_targets_and_an_AA_countdown_button()
    {
        portal.InsertOnly(TestPkiSetup.DemoToken);
        await portal.ReleaseDemoKeyAsync(Hz); // the bind suite's happy path leaves the demo key bound
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);
        var seal = Hz.Seals.First(s => s.SealType == "财务专用章");

        // The switch in the header of the home page; it is kept for the session (the next page is served in it).
        await page.GotoAsync(portal.BaseUri.ToString());
        var standardRoot = await RootFontPxAsync(page);
        Assert.Equal(StandardRootPx, standardRoot);
        await page.GetByRole(AriaRole.Button, new() { Name = "长辈版", Exact = true }).ClickAsync();
        await Expect(page.Locator("html")).ToHaveClassAsync("elder");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "标准版", Exact = true })).ToBeVisibleAsync();
        Assert.True(await RootFontPxAsync(page) >= 1.25 * standardRoot, $"root font {await RootFontPxAsync(page)} px is not 1.25 × {standardRoot} px");
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "eseal.elder");
        Assert.Equal(-1, cookie.Expires); // a session cookie
        await CheckStepAsync(page, "elder-home-kiosk");

        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY", async p =>
        {
            await Expect(p.Locator("html")).ToHaveClassAsync("elder"); // served in elder mode: no flash of the standard page
            await AssertCountdownButtonContrastAsync(p);
            await CheckStepAsync(p, "elder-bind-0-reading-kiosk");
        });
        Assert.True(await RootFontPxAsync(page) >= 1.25 * StandardRootPx);

        await Expect(page.GetByRole(AriaRole.Radio)).ToBeCheckedAsync();
        await Expect(page.Locator(".facts")).ToContainTextAsync(Hz.Name);
        await CheckStepAsync(page, "elder-bind-1-certificate-kiosk");
        await FlowDriver.ClickContinueAsync(page);

        await Expect(page.GetByLabel("持章人姓名")).ToBeVisibleAsync();
        await CheckStepAsync(page, "elder-bind-2-holder-kiosk");
        await FlowDriver.FillHolderAsync(page, string.Empty, "110105194912310021", "1380013800");
        await FlowDriver.ClickContinueAsync(page);
        await Expect(page.Locator("#holderName-error")).ToBeVisibleAsync();
        await CheckStepAsync(page, "elder-bind-2-holder-errors-kiosk");
        await FlowDriver.FillHolderAsync(page, "王建国", "330106197805121232", "13800138000");
        await FlowDriver.ClickContinueAsync(page);

        await page.Locator($"#seal-{seal.Id}").CheckAsync();
        await CheckStepAsync(page, "elder-bind-3-seal-kiosk");
        await FlowDriver.ChooseSealAsync(page, seal.Id);

        await CheckStepAsync(page, "elder-bind-4-pin-kiosk");
        await FlowDriver.EnterPinAsync(page, TestPkiSetup.UserPin);

        await Expect(page.GetByAltText("法定代表人身份验证二维码")).ToBeVisibleAsync();
        await CheckStepAsync(page, "elder-bind-5-face-kiosk");

        // The legal representative's phone in elder mode too (the cookie is the browser's; here a second browser).
        var url = await page.Locator("[data-face-phone-link]").First.GetAttributeAsync("href") ?? throw new InvalidOperationException("no phone link");
        var phone = await portal.NewPageAsync(PortalFixture.Phone);
        await phone.Context.AddCookiesAsync([new Cookie { Name = "eseal.elder", Value = "1", Url = portal.BaseUri.ToString() }]);
        await phone.GotoAsync(url);
        await Expect(phone.Locator("html")).ToHaveClassAsync("elder");
        Assert.True(await RootFontPxAsync(phone) >= 1.25 * 16, "phone root font below 1.25 × 16 px");
        await CheckStepAsync(phone, "elder-face-phone");
        await phone.GetByRole(AriaRole.Button, new() { Name = "模拟：验证不通过" }).ClickAsync();
        await Expect(phone.GetByRole(AriaRole.Status)).ToContainTextAsync("验证不通过");
        await CheckStepAsync(phone, "elder-face-phone-failed");
        await phone.Context.CloseAsync();

        await Expect(page.GetByText("验证失败，请稍后重试。", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 10000 });
        await CheckStepAsync(page, "elder-bind-5-face-failed-kiosk");

        // And back: 标准版 restores the standard size for the rest of the session.
        await page.GetByRole(AriaRole.Button, new() { Name = "标准版", Exact = true }).ClickAsync();
        await Expect(page.Locator("html")).Not.ToHaveClassAsync("elder");
        await page.GotoAsync(portal.BaseUri.ToString());
        Assert.Equal(StandardRootPx, await RootFontPxAsync(page));
    }

    [Fact]
    public async Task Standard_mode_countdown_button_meets_AA_and_steps_have_48px_targets()
    {
        portal.InsertOnly(TestPkiSetup.DemoToken);
        await portal.ReleaseDemoKeyAsync(Hz); // the bind suite's happy path leaves the demo key bound
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);

        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY", async p =>
        {
            await Expect(p.Locator("html")).Not.ToHaveClassAsync("elder");
            await AssertCountdownButtonContrastAsync(p);
            await CheckStepAsync(p, "standard-bind-0-reading-kiosk");
        });
        await Expect(page.GetByRole(AriaRole.Radio)).ToBeCheckedAsync();
        await CheckStepAsync(page, "standard-bind-1-certificate-kiosk");
        await FlowDriver.ClickContinueAsync(page);
        await Expect(page.GetByLabel("持章人姓名")).ToBeVisibleAsync();
        await CheckStepAsync(page, "standard-bind-2-holder-kiosk");
    }

    [Fact]
    public async Task The_switch_works_without_script_and_on_a_phone()
    {
        var noScript = await portal.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 }, Locale = "zh-CN", JavaScriptEnabled = false });
        var page = await noScript.NewPageAsync();
        await page.GotoAsync(new Uri(portal.BaseUri, "/download/keyhelper").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "长辈版", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Uri(portal.BaseUri, "/download/keyhelper").ToString());
        // No script runs in this context (not even axe's), so the served HTML is read as text.
        Assert.Contains("<html lang=\"zh-CN\" class=\"elder\">", await page.ContentAsync(), StringComparison.Ordinal);
        var cookies = await noScript.CookiesAsync();
        Assert.Contains(cookies, c => c.Name == "eseal.elder" && c.Value == "1" && c.Expires == -1);
        await noScript.CloseAsync();

        // The download page in elder mode, checked like every page.
        var download = await portal.NewPageAsync(PortalFixture.Kiosk);
        await download.Context.AddCookiesAsync([new Cookie { Name = "eseal.elder", Value = "1", Url = portal.BaseUri.ToString() }]);
        await download.GotoAsync(new Uri(portal.BaseUri, "/download/keyhelper").ToString());
        await Expect(download.Locator("html")).ToHaveClassAsync("elder");
        await CheckStepAsync(download, "elder-download-kiosk");

        var phone = await portal.NewPageAsync(PortalFixture.Phone);
        await phone.GotoAsync(portal.BaseUri.ToString());
        await CheckStepAsync(phone, "standard-home-phone");
        await phone.GetByRole(AriaRole.Button, new() { Name = "长辈版", Exact = true }).ClickAsync();
        await Expect(phone.Locator("html")).ToHaveClassAsync("elder");
        var scrollWidth = await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= 390, $"elder page is {scrollWidth}px wide on a 390px phone");
        await CheckStepAsync(phone, "elder-home-phone");
    }

    [Fact]
    public async Task A_kiosk_with_its_helper_unreachable_says_to_ask_hall_staff_and_offers_no_download()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--unsafely-treat-insecure-origin-as-secure=" + portal.BaseUri.GetLeftPart(UriPartial.Authority)],
        });
        var page = await (await browser.NewContextAsync(PortalFixture.Kiosk)).NewPageAsync();
        var kioskUri = await EnrollAsKioskAsync(page);
        await page.RouteAsync(portal.KeyHelperUri.GetLeftPart(UriPartial.Authority) + "/**", route => route.AbortAsync("connectionrefused"));

        await FlowDriver.StartAndAcknowledgeAsync(page, kioskUri, "绑定USBKEY");

        var problem = page.Locator("[data-helper-state=unreachable]");
        await Expect(problem).ToBeVisibleAsync();
        Assert.Contains("\"Kiosk\"", await portal.Database.ReadAsync(s => s.ExecuteScalarAsync<string>("SELECT variables FROM flow_instances ORDER BY created_at DESC LIMIT 1")), StringComparison.Ordinal); // the flow ran as the kiosk's
        await Expect(problem).ToContainTextAsync("无法连接电子印章PC客户端");
        await Expect(problem).ToContainTextAsync("请联系大厅工作人员协助处理。");
        await Expect(problem.GetByRole(AriaRole.Link)).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "点此下载" })).ToHaveCountAsync(0);
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "kiosk-helper-unreachable-kiosk");

        // The same in elder mode.
        await page.GetByRole(AriaRole.Button, new() { Name = "长辈版", Exact = true }).ClickAsync();
        await Expect(problem).ToContainTextAsync("请联系大厅工作人员协助处理。");
        await CheckStepAsync(page, "elder-kiosk-helper-unreachable-kiosk");
    }

    /// <summary>Enrolls this browser as a hall kiosk, as /admin/kiosks/enroll would: the database keeps the secret's SHA-256, the browser the cookie.</summary>
    /// <returns>The portal's address as this kiosk opens it.</returns>
    private const string KioskCookie = "__Host-eseal.kiosk";

    private async Task<Uri> EnrollAsKioskAsync(IPage page)
    {
        var id = Guid.NewGuid();
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var kiosk = new Kiosk
        {
            Id = id,
            Hall = "测试大厅",
            Name = "elder-" + id.ToString("N")[..8],
            TokenHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(secret))),
            EnrolledAt = DateTimeOffset.UtcNow,
            EnrolledBy = "test-setup",
        };
        Assert.True(await portal.Database.InTransactionAsync(s => new KioskRepository(s).AddAsync(kiosk)));
        // __Host- cookies need Secure; this page's browser was started treating the suite's plain-http
        // portal origin as secure (as a hall's HTTPS portal is), so it keeps the cookie an enrolled kiosk has.
        // The cookie arrives as /admin/kiosks/enroll sends it, in a Set-Cookie header (CDP's setCookies
        // cannot make a __Host- cookie: it always gives the cookie a domain).
        var enroll = new Uri(portal.BaseUri, "/test-only/kiosk-cookie").ToString();
        await page.RouteAsync(enroll, route => route.FulfillAsync(new()
        {
            Status = 200,
            ContentType = "text/plain",
            Headers = new Dictionary<string, string> { ["Set-Cookie"] = $"{KioskCookie}={id:N}.{secret}; Path=/; Secure; HttpOnly; SameSite=Strict" },
            Body = "enrolled",
        }));
        await page.GotoAsync(enroll);
        Assert.Contains(await page.Context.CookiesAsync(), c => c.Name == KioskCookie);
        return portal.BaseUri;
    }

    /// <summary>axe, the 48 px targets and a screenshot of the page as it is now.</summary>
    private async Task CheckStepAsync(IPage page, string screenshot)
    {
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        var small = await page.EvaluateAsync<string[]>(SmallTargetsScript);
        Assert.True(small.Length == 0, $"{screenshot}: targets under 48 px:\n" + string.Join("\n", small));
        await portal.ScreenshotAsync(page, screenshot);
    }

    private static async Task AssertCountdownButtonContrastAsync(IPage page)
    {
        var button = page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^我知道了（") });
        await Expect(button).ToBeDisabledAsync();
        var ratio = await button.EvaluateAsync<double>(ContrastScript);
        Assert.True(ratio >= 4.5, $"countdown button contrast {ratio:0.00}:1 is below 4.5:1");
        var height = await button.EvaluateAsync<double>("b => b.getBoundingClientRect().height");
        Assert.True(height >= 48, $"countdown button is {height} px high");
    }

    private static Task<double> RootFontPxAsync(IPage page) =>
        page.EvaluateAsync<double>("() => parseFloat(getComputedStyle(document.documentElement).fontSize)");

    // WCAG contrast of an element's text against the first opaque background behind it; opacity must be 1.
    private const string ContrastScript = """
        el => {
          const parse = c => { const p = c.match(/[\d.]+/g).map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
          const lum = ({ r, g, b }) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
          for (let e = el; e; e = e.parentElement) { if (parseFloat(getComputedStyle(e).opacity) < 1) return 0; }
          let bg = { r: 255, g: 255, b: 255, a: 1 };
          for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c.a >= 1) { bg = c; break; } }
          const fg = parse(getComputedStyle(el).color);
          const [l1, l2] = [lum(fg), lum(bg)];
          return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
        }
        """;

    // Every visible target a finger hits. Radios and checkboxes are hit through their label (the card);
    // links inside running text are exempt (WCAG 2.5.8's inline exception).
    private const string SmallTargetsScript = """
        () => {
          const found = [];
          const els = document.querySelectorAll('a[href], button, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea, label.choice-card, [role=button]');
          for (const el of els) {
            const r = el.getBoundingClientRect();
            const cs = getComputedStyle(el);
            if (r.width === 0 || r.height === 0 || cs.visibility === 'hidden' || el.closest('[hidden]')) continue;
            if (el.tagName === 'A' && cs.display === 'inline') continue;
            if (r.height < 47.5) found.push(`${el.tagName.toLowerCase()}.${el.className} “${(el.textContent || el.value || '').trim().slice(0, 30)}” ${r.width.toFixed(0)}×${r.height.toFixed(1)}`);
          }
          return found;
        }
        """;
}
