using ESeal.Db.Infrastructure;

namespace ESeal.Db.Repositories;

public sealed class EnterpriseRepository(ISqlSession db)
{
    private const string Columns = "id, credit_code, name, legal_rep_name, legal_rep_id_number, created_at";

    public Task InsertAsync(Enterprise e, CancellationToken ct = default) => db.ExecuteAsync(
        """
        INSERT INTO enterprises (id, credit_code, name, legal_rep_name, legal_rep_id_number, created_at)
        VALUES (@Id, @CreditCode, @Name, @LegalRepName, @LegalRepIdNumber, @CreatedAt)
        """,
        e,
        ct);

    public Task<Enterprise?> GetAsync(Guid id, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<Enterprise>($"SELECT {Columns} FROM enterprises WHERE id = @id", new { id }, ct);

    public Task<Enterprise?> FindByCreditCodeAsync(string creditCode, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<Enterprise>(
            $"SELECT {Columns} FROM enterprises WHERE credit_code = @creditCode", new { creditCode }, ct);

    public Task<IReadOnlyList<Enterprise>> ListAsync(CancellationToken ct = default) =>
        db.QueryAsync<Enterprise>($"SELECT {Columns} FROM enterprises ORDER BY name", ct: ct);
}
