/** The outbox trigger: rows of a business database's transactional outbox table, read with Camel JPA and marked only after their event is stored. */
package io.switchboard.outbox;
