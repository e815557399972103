-- Review of flow drafts (SPEC §8, issue 11). Keep in step with Sqlite/0005_flow_reviews.sql
-- (the columns are explained there).
CREATE TABLE dbo.flow_reviews (
    draft_id          uniqueidentifier NOT NULL CONSTRAINT pk_flow_reviews PRIMARY KEY,
    definition_id     nvarchar(100)    NOT NULL,
    version           int              NOT NULL,
    based_on_version  int              NULL,
    state             nvarchar(16)     NOT NULL CONSTRAINT ck_flow_reviews_state CHECK (state IN (N'Draft', N'Submitted', N'Rejected', N'Approved', N'Scheduled', N'Published', N'Discarded')),
    author            nvarchar(200)    NOT NULL,
    created_at        datetimeoffset   NOT NULL,
    updated_at        datetimeoffset   NOT NULL,
    submitted_by      nvarchar(200)    NULL,
    submitted_at      datetimeoffset   NULL,
    reviewed_by       nvarchar(200)    NULL,
    reviewed_at       datetimeoffset   NULL,
    review_comment    nvarchar(1000)   NULL,
    publish_at        datetimeoffset   NULL,
    scheduled_by      nvarchar(200)    NULL,
    published_by      nvarchar(200)    NULL,
    published_at      datetimeoffset   NULL
);
GO

CREATE INDEX ix_flow_reviews_definition ON dbo.flow_reviews(definition_id, state);
GO

CREATE TABLE dbo.flow_draft_editors (
    draft_id    uniqueidentifier NOT NULL,
    actor       nvarchar(200)    NOT NULL,
    CONSTRAINT pk_flow_draft_editors PRIMARY KEY (draft_id, actor)
);
GO
