-- A fault may apply only to calls that mention a text (in the query or the body): a drill's
-- faults then meet only the drill's own calls, never real traffic.
alter table sandbox_fault add column match_text varchar(200);
