-- The sandbox mail API honours an Idempotency-Key, as transactional mail APIs do, so a
-- send repeated after a crash returns the first message instead of mailing twice.
alter table sandbox_mail_message add column idempotency_key varchar(200);
create unique index sandbox_mail_message_idempotency on sandbox_mail_message (idempotency_key);
