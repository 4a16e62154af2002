-- The integration health (alert checks every 15 s, the console every 3 s) asks what happened
-- in the last hour. Without these it read the whole event and event_step tables each time,
-- which grew with the journal's retention; with them it reads the hour's rows only.
create index event_updated_at on event (updated_at);
create index event_step_at on event_step (at);
