-- Review of flow drafts (SPEC §8, issue 11). Keep in step with SqlServer/0005_flow_reviews.sql.
-- A draft is a flow_definitions row with is_published = 0 (the newest version of its definition);
-- this table says where its review stands. draft_id is that row's id, so a discarded draft (whose
-- row is deleted) keeps its review history here, and a new draft of the same version number gets
-- a row of its own.
-- state:            Draft 草稿, Submitted 待审核, Rejected 已驳回, Approved 已批准待发布,
--                   Scheduled 已安排发布, Published 已发布, Discarded 已放弃.
--                   Every change of state is one UPDATE ... WHERE state = <expected>, so two
--                   approvers, or a scheduled job run twice, change it once.
-- author:           the staff account that created the draft ("staff:NAME"); with
--                   flow_draft_editors the accounts that may not approve it.
-- publish_at:       when a Scheduled draft is to be published (UTC); scheduled_by: who set it.
CREATE TABLE flow_reviews (
    draft_id          TEXT    NOT NULL PRIMARY KEY,
    definition_id     TEXT    NOT NULL,
    version           INTEGER NOT NULL,
    based_on_version  INTEGER NULL,
    state             TEXT    NOT NULL CHECK (state IN ('Draft', 'Submitted', 'Rejected', 'Approved', 'Scheduled', 'Published', 'Discarded')),
    author            TEXT    NOT NULL,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    submitted_by      TEXT    NULL,
    submitted_at      TEXT    NULL,
    reviewed_by       TEXT    NULL,
    reviewed_at       TEXT    NULL,
    review_comment    TEXT    NULL,
    publish_at        TEXT    NULL,
    scheduled_by      TEXT    NULL,
    published_by      TEXT    NULL,
    published_at      TEXT    NULL
);
CREATE INDEX ix_flow_reviews_definition ON flow_reviews(definition_id, state);

-- Everyone who saved a change to a draft: none of them may approve it.
CREATE TABLE flow_draft_editors (
    draft_id    TEXT NOT NULL,
    actor       TEXT NOT NULL,
    PRIMARY KEY (draft_id, actor)
);
