-- A test event (POST /api/integrations/{id}/test-events) is stored and processed like any
-- other, and marked so the journal, the API and the console show it as a test.
alter table event add column test_event boolean default false not null;
