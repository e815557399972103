var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();
app.MapGet("/v1/info", () => Results.Json(new { protocol = "eseal-keyhelper/1", version = "0.0.0" }));
app.Run();
